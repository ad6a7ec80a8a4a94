package terraform

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"time"
)

// engineCommand is the command that runs Terraform with args in the
// stack's work folder wd: under its supervisor when this program can
// serve as one (holding the folder's busy lock), else Terraform itself,
// interrupted on tfrebuild's death where the system allows. Call done
// when the command has ended.
func (r *Runner) engineCommand(ctx context.Context, wd Workdir, args []string) (cmd *exec.Cmd, done func(), err error) {
	if sup := supervisor(); sup != "" {
		busy, err := holdBusy(wd)
		if err != nil {
			return nil, nil, fmt.Errorf("lock %s: %w", wd.BusyFile(), err)
		}
		cmd := exec.CommandContext(ctx, sup, superviseArgs(os.Getpid(), r.Binary.Path, args)...)
		if busy != nil {
			cmd.ExtraFiles = []*os.File{busy}
		}
		// The supervisor kills Terraform's group after interruptGrace
		// and exits: this is only a backstop.
		cmd.WaitDelay = interruptGrace + 15*time.Second
		setProcAttr(cmd)
		return cmd, func() { busy.Close() }, nil
	}
	cmd = exec.CommandContext(ctx, r.Binary.Path, args...)
	cmd.WaitDelay = interruptGrace
	setProcAttr(cmd)
	interruptOnDeath(cmd)
	return cmd, func() {}, nil
}

// runCommand runs cmd on a thread of its own until it exits: a death
// signal is sent when the thread that started the process ends, and Go
// ends a thread when a goroutine locked to it returns, never otherwise.
func runCommand(cmd *exec.Cmd) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	return cmd.Run()
}
