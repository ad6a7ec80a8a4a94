//go:build !unix

package terraform

import "os/exec"

// setProcAttr: no process groups to separate outside Unix.
func setProcAttr(cmd *exec.Cmd) {}
