package rebuild

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/lease"
)

// runLease is the target-wide run lease a writing mode holds (apply,
// destroy, confirm): a record in the target's own backend, whatever the
// checkpoint store, so that two checkouts of one config, or two machines,
// never drive one target at once. Its loss cancels the run's context
// (cancel), and every write verifies it first (verifyLease).
type runLease struct {
	// inTable: the lease is an item of the state's lock table, written
	// when it was taken (a proof that the table exists with Terraform's
	// key).
	inTable bool
	// taking makes holdLease one at a time: the state stage and a restore
	// started beside it (data first) may both try to take it.
	taking sync.Mutex
	mu     sync.Mutex
	held   *lease.Lease
	cancel context.CancelCauseFunc // the run's; nil outside a run
}

// holder is this process as a lease or run lock holder: user, host, pid
// and the config it runs.
func (c *core) holder() checkpoint.Holder {
	h := me(c.runID)
	if abs, err := filepath.Abs(c.cfg.Filename); err == nil {
		h.Config = abs
	}
	return h
}

// withRunContext returns the context a run's stages run under: the lease,
// once held, cancels it when it is lost.
func (c *core) withRunContext(ctx context.Context) (context.Context, context.CancelCauseFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	c.lease.mu.Lock()
	c.lease.cancel = cancel
	c.lease.mu.Unlock()
	return ctx, cancel
}

// holdLease takes the run lease in the state's backend (its lock table,
// or its bucket when the state locks with lock files), once. It proves
// the state bucket is the target's first. Before the state stage has
// created the backend there is nowhere to hold it: must says it has to
// exist by now. stage is where a takeover is noted.
func (c *core) holdLease(ctx context.Context, stage string, must bool) error {
	c.lease.taking.Lock()
	defer c.lease.taking.Unlock()
	if c.heldLease() != nil {
		return nil
	}
	acct, err := c.stateAccount()
	if err != nil {
		return err
	}
	region := c.cfg.AccountFor(c.cfg.State.Account).Region
	store, err := acct.Cloud.RunLease(ctx, acct.Account.ID, c.cfg.State, c.cfg.Project, region)
	if err != nil || store == nil {
		if err == nil && must {
			err = fmt.Errorf("the run lease: the state backend (bucket %s, lock table %q) does not exist after the state stage", c.cfg.State.Bucket, c.cfg.State.LockTable)
		}
		return err
	}
	sent := c.now()
	beside := c.besideLease()
	l, prev, err := lease.Acquire(ctx, store, c.holder(), lease.Options{Beside: beside, Now: c.opts.Clock})
	if errors.Is(err, lease.ErrNoStore) && !must {
		return nil // the state stage creates the lock table
	}
	var held *lease.HeldError
	if err != nil && len(beside) > 0 && !errors.As(err, &held) && !errors.Is(err, lease.ErrNoStore) {
		// Its transaction may have landed, its answer lost: the locks
		// may be in place, and the run's end releases them.
		c.leaseWritten(false, true, sent)
	}
	if err != nil {
		return err
	}
	c.leaseWritten(l.BesideTaken(), l.BesideTried(), sent)
	_, inTable := store.(*lease.DynamoDB)
	c.lease.mu.Lock()
	c.lease.held, c.lease.inTable = l, inTable
	cancel := c.lease.cancel
	c.lease.mu.Unlock()
	if cancel != nil {
		l.OnLost(cancel)
	}
	if prev != nil {
		c.note(stage, fmt.Sprintf("took over the run lease %s from %s: that run is gone (no heartbeat since %s, or its process has ended)",
			l.Where(), prev, prev.Heartbeat.UTC().Format("2006-01-02T15:04:05Z")))
	}
	return nil
}

// leaseInTable reports whether this run holds its lease in the lock
// table.
func (c *core) leaseInTable() bool {
	c.lease.mu.Lock()
	defer c.lease.mu.Unlock()
	return c.lease.held != nil && c.lease.inTable
}

func (c *core) heldLease() *lease.Lease {
	c.lease.mu.Lock()
	defer c.lease.mu.Unlock()
	return c.lease.held
}

// verifyLease proves, before a write, that this run still holds the
// lease; a no-op while it holds none (before the backend exists).
func (c *core) verifyLease(ctx context.Context) error {
	if l := c.heldLease(); l != nil {
		return l.Verify(ctx)
	}
	return nil
}

// endLease puts the loss of the lease before the run's own error (the
// stages it stopped fail with a bare "context canceled"), releases the
// lease and reports a release that failed.
func (c *core) endLease(ctx context.Context, runErr error) error {
	l := c.heldLease()
	if l == nil {
		return runErr
	}
	if lost := l.Err(); lost != nil && !errors.Is(runErr, lost) {
		runErr = errors.Join(lost, runErr)
	}
	return errors.Join(runErr, releaseError(l, l.Release(context.WithoutCancel(ctx))))
}

// releaseError says what a lease release that failed means.
func releaseError(l *lease.Lease, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("release the run lease %s: %w; the next run can take it %s after this run's last heartbeat", l.Where(), err, lease.TTL)
}

// letLeaseGo releases the run lease behind the end of an apply whose
// stages are done: with the checkpoint in a file, what the run still does
// needs no lease. That is reads, the checkpoint's last save, the summary,
// and the release of its own state locks still in flight (each a
// conditional delete of a record of its own, which a run that takes the
// lease meanwhile waits for, as for any lock). It returns the wait for
// that release's error. A lease lost, or one whose table also holds the
// checkpoint, is released at the end (endLease).
func (c *core) letLeaseGo(ctx context.Context) func() error {
	l := c.heldLease()
	if l == nil || l.Err() != nil || c.cfg.Checkpoint.Store == "dynamodb" {
		return func() error { return nil }
	}
	done := make(chan error, 1)
	go func() { done <- l.Release(context.WithoutCancel(ctx)) }()
	return func() error { return releaseError(l, <-done) }
}

// releaseLease lets the lease go early: destroy --all deletes the backend
// that holds it.
func (c *core) releaseLease(ctx context.Context) error {
	if l := c.heldLease(); l != nil {
		if err := l.Release(ctx); err != nil {
			return fmt.Errorf("release the run lease %s before deleting the state: %w", l.Where(), err)
		}
	}
	return nil
}

// ownState proves the state bucket is the target's before a read-only
// command (output) hands Terraform the states in it: another account's
// bucket may hold states planted to be read with our credentials.
func (c *core) ownState(ctx context.Context) error {
	acct, err := c.stateAccount()
	if err != nil {
		return err
	}
	_, err = acct.Cloud.OwnState(ctx, acct.Account.ID, c.cfg.State)
	return err
}

// releaseRunLock releases the run lock beside the checkpoint when a
// command ends, and adds a release that failed to the command's error
// instead of dropping it: the next run would find the lock held.
func releaseRunLock(ctx context.Context, lock checkpoint.RunLock, err *error) {
	if rerr := lock.Release(context.WithoutCancel(ctx)); rerr != nil {
		*err = errors.Join(*err, fmt.Errorf("release the run lock: %w; the next run takes it over once this process is gone", rerr))
	}
}
