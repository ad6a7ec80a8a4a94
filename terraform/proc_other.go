//go:build unix && !linux

package terraform

import (
	"os/exec"
	"syscall"
)

// setProcAttr starts Terraform in a process group of its own, as on Linux,
// so that the user's Ctrl-C reaches tfrebuild alone, which interrupts
// Terraform itself, once: sharing the terminal's process group, Terraform
// got the user's interrupt and then tfrebuild's, and a second interrupt
// makes Terraform abandon its work without releasing the state lock.
// (macOS and the BSDs have no parent-death signal.)
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}
