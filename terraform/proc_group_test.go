//go:build unix

package terraform

import (
	"os/exec"
	"syscall"
	"testing"
)

// Terraform runs in a process group of its own on every Unix, so that a
// Ctrl-C at the terminal reaches tfrebuild alone and Terraform is
// interrupted once, by tfrebuild.
func TestTerraformGetsItsOwnProcessGroup(t *testing.T) {
	t.Parallel()
	cmd := exec.Command("cat") // blocks on its stdin until we close it
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	setProcAttr(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = stdin.Close(); _ = cmd.Wait() }()
	child, err := syscall.Getpgid(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	if ours := syscall.Getpgrp(); child == ours {
		t.Errorf("Terraform's process group is tfrebuild's (%d): a terminal Ctrl-C interrupts it twice", ours)
	}
}
