package terraform

import (
	"context"
	"os"
	"os/exec"
	"runtime"
	"time"
)

// engineCommand is the command that runs Terraform with args: under its
// supervisor when this program can serve as one, else Terraform itself,
// interrupted on tfrebuild's death where the system allows.
func (r *Runner) engineCommand(ctx context.Context, args []string) *exec.Cmd {
	if sup := supervisor(); sup != "" {
		cmd := exec.CommandContext(ctx, sup, superviseArgs(os.Getpid(), r.Binary.Path, args)...)
		// The supervisor kills Terraform's group after interruptGrace
		// and exits: this is only a backstop.
		cmd.WaitDelay = interruptGrace + 15*time.Second
		setProcAttr(cmd)
		return cmd
	}
	cmd := exec.CommandContext(ctx, r.Binary.Path, args...)
	cmd.WaitDelay = interruptGrace
	setProcAttr(cmd)
	interruptOnDeath(cmd)
	return cmd
}

// runCommand runs cmd on a thread of its own until it exits: a death
// signal is sent when the thread that started the process ends, and Go
// ends a thread when a goroutine locked to it returns, never otherwise.
func runCommand(cmd *exec.Cmd) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	return cmd.Run()
}
