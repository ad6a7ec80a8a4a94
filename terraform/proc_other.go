//go:build !linux

package terraform

import "os/exec"

func setProcAttr(cmd *exec.Cmd) {}
