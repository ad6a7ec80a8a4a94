package terraform

import (
	"os/exec"
	"syscall"
)

// setProcAttr starts Terraform in a process group of its own, so that the
// user's Ctrl-C reaches tfrebuild alone (which interrupts Terraform
// itself, once), and kills it if tfrebuild dies.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
