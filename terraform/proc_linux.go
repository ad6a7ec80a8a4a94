package terraform

import (
	"os/exec"
	"syscall"
)

// setProcAttr starts Terraform (or its supervisor) in a process group of
// its own, so that the user's Ctrl-C reaches tfrebuild alone (which
// interrupts Terraform itself, once). It sets no death signal: a Terraform
// killed when tfrebuild dies saves no state (see supervise.go).
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// interruptOnDeath makes a Terraform started without a supervisor get
// SIGINT when tfrebuild dies. The kernel sends it when the thread that
// started the process ends, so the caller keeps that thread locked until
// Terraform has exited.
func interruptOnDeath(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGINT
}
