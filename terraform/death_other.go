//go:build !linux

package terraform

import "os/exec"

// interruptOnDeath: this system has no death signal; only a supervisor
// interrupts Terraform when tfrebuild dies.
func interruptOnDeath(cmd *exec.Cmd) {}
