package rebuild

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/tfrebuild/tfrebuild/terraform"
	"github.com/tfrebuild/tfrebuild/tfstate"
)

// The state lock of every engine command that writes a state (apply,
// destroy, import) is taken by tfrebuild itself, in the engine's own
// format, under an ID of this run's own (RUNID-RANDOM), and the engine
// runs with -lock=false under it. So the run knows which lock is its own:
// it releases that one by its ID when the command ends, and the next run
// recognises the lock a crashed run left by the ID (releaseStaleLock).
// And a lock request answered late and retried finds its own lock and
// goes on, where the engine would wait its whole lock_timeout on itself.

// holdStateLock takes a stack's state lock for one engine command and
// returns its release; a backend without locking needs none. A release
// of the stack's lock still in flight (lockReleases) ends first. A lock
// the previous run of this target left (its ID is that run's, and that
// run is provably gone) is released and taken again: a run that died
// between its engine's end and the release leaves one.
func (c *core) holdStateLock(ctx context.Context, s terraform.Stack) (func(), error) {
	if s.Backend.LockTable == "" && !s.Backend.UseLockfile {
		return func() {}, nil
	}
	c.releases.wait(ctx, s.Name)
	l := c.locate(s.Backend)
	states, err := c.stateClient()
	if err != nil {
		return nil, err
	}
	info, note := c.newLockInfo()
	release := func() {
		if err := states.Release(context.WithoutCancel(ctx), l, info, note); err != nil {
			c.note("stack."+s.Name, fmt.Sprintf("could not release its own state lock %s: %v; the next run releases it", info.ID, err))
		}
	}
	if ahead, held, ok := c.takeLockAhead(s.Name); ok {
		// Planned with the run lease (lock_ahead.go).
		info, note = ahead.info, ahead.note
		if held {
			return release, nil
		}
	}
	err = states.Acquire(ctx, l, info, note, 0)
	if err != nil {
		if err = c.releasePreviousRunsLock(ctx, s, err); err == nil {
			err = states.Acquire(ctx, l, info, note, c.lockTimeout())
		}
	}
	if err != nil {
		var held *tfstate.HeldError
		if errors.As(err, &held) {
			return nil, fmt.Errorf("%w. If nobody is running %s on it, release it with:\n  %s\nthen run again",
				err, c.engineTitle(), c.stateCommand(s.Name, "force-unlock", "-force", held.Info.ID))
		}
		return nil, err
	}
	return release, nil
}

func (c *core) lockTimeout() time.Duration {
	if w := c.cfg.Terraform.LockTimeout; w > 0 {
		return w
	}
	return time.Minute
}

// releasePreviousRunsLock releases, when acquireErr is a lock held by the
// previous run of this target, that lock (releaseDeadRunsLock); it
// returns acquireErr for any other lock, and nil when the lock was
// released (or was gone by then).
func (c *core) releasePreviousRunsLock(ctx context.Context, s terraform.Stack, acquireErr error) error {
	var held *tfstate.HeldError
	if !errors.As(acquireErr, &held) || !c.deadRunsLock(&held.Info) {
		return acquireErr
	}
	return c.releaseDeadRunsLock(ctx, s, &held.Info)
}

// deadRunsLock reports whether a state lock is the previous run's: its ID
// is one of that run's, its holder that run's user and host. That run is
// provably gone (this run holds the run lock and the lease).
func (c *core) deadRunsLock(info *tfstate.LockInfo) bool {
	prev := c.previous
	return prev != nil && lockOfRun(info, prev.RunID) && info.Who == prev.User+"@"+prev.Host
}

// releaseDeadRunsLock releases a lock of the previous run once no engine
// command of the stack runs any more, and says so.
func (c *core) releaseDeadRunsLock(ctx context.Context, s terraform.Stack, info *tfstate.LockInfo) error {
	if err := c.waitIdle(ctx, s.Name); err != nil {
		return err
	}
	err := c.forceUnlock(ctx, s.Backend, info.ID)
	if err != nil && !errors.Is(err, tfstate.ErrNotHeld) {
		return fmt.Errorf("release the state lock left by run %s: %w", c.previous.RunID, err)
	}
	c.note("stack."+s.Name, fmt.Sprintf("released the state lock left by this target's previous run (%s), which ended before releasing it: lock %s", c.previous, info))
	return nil
}

// proveLease starts the proof that this run still holds its lease (a
// round trip) and returns the wait for its result, which may be asked
// any number of times.
func (c *core) proveLease(ctx context.Context) func() error {
	proved := make(chan error, 1)
	go func() { proved <- c.verifyLease(ctx) }()
	var once sync.Once
	var err error
	return func() error { once.Do(func() { err = <-proved }); return err }
}

// lockForWrite prepares an engine command that writes a stack's state:
// it proves the run still holds its lease and takes the state lock, the
// two at once (each is a round trip), and returns the lock's release.
// Either failing, nothing is held and the engine does not run.
func (c *core) lockForWrite(ctx context.Context, s terraform.Stack) (func(), error) {
	proved := c.proveLease(ctx)
	release, err := c.holdStateLock(ctx, s)
	if verr := proved(); verr != nil {
		if err == nil {
			release()
		}
		return nil, verr
	}
	return release, err
}

// lockReleases are the state locks released behind the commands that
// held them: the stage goes on (its dependents start) while the release
// is in flight. The stack's next lock waits for it, and so does the end
// of the run (waitAll).
type lockReleases struct {
	mu      sync.Mutex
	pending map[string]chan struct{}
	wg      sync.WaitGroup
}

// behind runs release on its own goroutine.
func (r *lockReleases) behind(stack string, release func()) {
	done := make(chan struct{})
	r.mu.Lock()
	if r.pending == nil {
		r.pending = map[string]chan struct{}{}
	}
	r.pending[stack] = done
	r.mu.Unlock()
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer close(done)
		release()
	}()
}

// wait waits for the stack's release in flight, if any.
func (r *lockReleases) wait(ctx context.Context, stack string) {
	r.mu.Lock()
	done := r.pending[stack]
	r.mu.Unlock()
	if done == nil {
		return
	}
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// waitAll waits for every release in flight.
func (r *lockReleases) waitAll() { r.wg.Wait() }

// stateLockID is a state lock ID of this run's: its run ID, then random.
func stateLockID(runID string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return runID + "-" + hex.EncodeToString(b)
}

// lockOfRun reports whether a state lock was taken by the run runID.
func lockOfRun(info *tfstate.LockInfo, runID string) bool {
	return runID != "" && strings.HasPrefix(info.ID, runID+"-")
}

// engineVersion is the version in an engine label ("terraform 1.11.4").
func engineVersion(label string) string {
	f := strings.Fields(label)
	if len(f) == 0 {
		return ""
	}
	return f[len(f)-1]
}
