//go:build unix

package terraform

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"time"
)

// A stack's busy file is locked shared by every supervisor that runs a
// Terraform command in the stack's work folder, for as long as it lives:
// it outlives tfrebuild while Terraform stops after tfrebuild's death.
// A later run takes the lock exclusively, once, before it touches the
// stack, so that it never releases a state lock, lays out the working copy
// or runs Terraform while a dead run's Terraform is still saving state.

// busyFd is the supervisor's descriptor of the busy file (ExtraFiles[0]).
const busyFd = 3

// holdBusy opens the stack's busy file and locks it shared, for the
// supervisor to inherit.
func holdBusy(wd Workdir) (*os.File, error) { return holdShared(wd.BusyFile()) }

// keepBusy keeps the inherited busy lock in the supervisor alone: Terraform
// and what it starts must not hold it.
func keepBusy() { syscall.CloseOnExec(busyFd) }

// waitIdle waits until no supervisor holds the stack's busy file.
func waitIdle(ctx context.Context, wd Workdir, limit time.Duration) error {
	f, err := os.OpenFile(wd.BusyFile(), os.O_RDWR, 0)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	deadline := time.Now().Add(limit)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		}
		if err != syscall.EWOULDBLOCK || time.Now().After(deadline) {
			return fmt.Errorf("a Terraform process of an earlier run still works in %s (%v); wait for it to end, or end it", wd, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// tryLock locks path (created if missing) exclusively without waiting;
// ok is false when another process holds it. unlock releases it.
func tryLock(path string) (unlock func(), ok bool) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, false
	}
	if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		f.Close()
		return nil, false
	}
	return func() { f.Close() }, true
}

// holdShared opens path and locks it shared, for as long as the file
// stays open.
func holdShared(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
