package rebuild

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tfrebuild/tfrebuild/lease"
	"github.com/tfrebuild/tfrebuild/stages"
	"github.com/tfrebuild/tfrebuild/tfstate"
)

// The stacks that run first take their state locks with the run lease.
// A stack that will run Terraform (any stack of a new rebuild, one not
// done in a resume) and whose stage starts as soon as the bootstrap
// stages end (no stack before it still to run, no restore imported into
// it first) needs its lock right after the lease: the two are written in
// one DynamoDB transaction (lease.Options.Beside), one round trip instead
// of two, and neither is written unless the other is. The lock is the
// one holdStateLock would take, under this run's ID, so that its stage
// uses it as its own. A lock in place (an operator's, or one the previous
// run left) fails the transaction on it alone: the lease is written by
// itself, and the stage deals with the lock as ever. A stage that never
// gets to run (an earlier failure, a cancelled run) leaves its lock to
// the run's end, which releases it (releaseUnusedLocks); a run killed
// before leaves it to the next run, as any lock of a dead run.

// locksAhead are the locks planned to ride with the lease, by stack.
type locksAhead struct {
	mu sync.Mutex
	m  map[string]*lockAhead
}

// lockAhead is one stack's lock planned with the lease.
type lockAhead struct {
	loc  tfstate.Location
	info tfstate.LockInfo
	note string
	put  lease.Item
	// taken: written with the lease, at; maybe: sent with it, its
	// answer lost (it may be in place); used: its stage took it over.
	taken, maybe, used bool
	at                 time.Time
}

// maxLocksAhead keeps the transaction well inside DynamoDB's item limit.
const maxLocksAhead = 8

// lockAheadFresh is how long after the lease's write a stage takes its
// lock as held without asking: a stage that starts later (its stack
// waited for others) takes it again under the same ID, which finds it
// this run's, or someone's who released it by hand and took their own.
const lockAheadFresh = lease.Fresh

// planLocksAhead picks the stacks whose locks ride with the lease. It is
// called before the lease is taken; a lease taken already (by a restore
// that started first) takes none.
func (a *applier) planLocksAhead() {
	if a.heldLease() != nil || a.cfg.State.LockTable == "" {
		return
	}
	memo := map[string]bool{}
	plan := map[string]*lockAhead{}
	// No more stacks start at once (the runner takes below 1 as 1).
	most := min(max(a.opts.Parallelism, 1), maxLocksAhead)
	for _, s := range a.pipeline.Stages {
		if len(plan) == most {
			break
		}
		if !a.runsFirst(s, memo) {
			continue
		}
		ts := a.tfStack(a.cfg.Stack(s.Target))
		if ts.Backend.LockTable != a.cfg.State.LockTable {
			continue
		}
		info, note := a.newLockInfo()
		loc := a.locate(ts.Backend)
		put, ok, err := tfstate.LockPut(loc, info, note)
		if err != nil || !ok {
			continue
		}
		plan[s.Target] = &lockAhead{loc: loc, info: info, note: note, put: put}
	}
	a.locksAhead.mu.Lock()
	a.locksAhead.m = plan
	a.locksAhead.mu.Unlock()
}

// runsFirst reports whether a stage is a stack that runs Terraform as
// soon as the bootstrap stages end.
func (a *applier) runsFirst(s *stages.Stage, memo map[string]bool) bool {
	if s.Kind != stages.KindStack || s.Skipped || a.kept[s.Name] || a.restoredBefore(s.Target) {
		return false
	}
	switch a.phase {
	case phaseNew:
		for _, d := range s.Deps {
			if st := a.pipeline.Get(d); st != nil && st.Kind == stages.KindStack && !st.Skipped {
				return false
			}
		}
		return true
	case phaseResume:
		return !a.prevDone[s.Name] && a.startsAtOnce(s.Target, memo)
	}
	return false
}

// besideLease is what the lease's write carries: the planned locks.
func (c *core) besideLease() []lease.Item {
	c.locksAhead.mu.Lock()
	defer c.locksAhead.mu.Unlock()
	var out []lease.Item
	for _, l := range c.locksAhead.m {
		out = append(out, l.put)
	}
	return out
}

// leaseWritten records what became of the planned locks with the lease:
// taken (written), or tried and maybe written (the answer lost).
func (c *core) leaseWritten(taken, tried bool, at time.Time) {
	c.locksAhead.mu.Lock()
	defer c.locksAhead.mu.Unlock()
	for _, l := range c.locksAhead.m {
		l.taken, l.maybe, l.at = taken, tried && !taken, at
	}
}

// takeLockAhead hands a stack's planned lock to its first engine command,
// once: its info and note, and whether it is held already (written with
// the lease less than lockAheadFresh ago). Any other planned lock is
// taken again under the same ID, so that one in place (its write landed
// unanswered, or its stage starts late) is found to be this run's own.
func (c *core) takeLockAhead(stack string) (l *lockAhead, held bool, ok bool) {
	c.locksAhead.mu.Lock()
	defer c.locksAhead.mu.Unlock()
	l = c.locksAhead.m[stack]
	if l == nil || l.used {
		return nil, false, false
	}
	l.used = true
	return l, l.taken && c.now().Sub(l.at) < lockAheadFresh, true
}

// ownLockAhead reports whether a lock found on a stack's state is the one
// this run wrote for it with the lease.
func (c *core) ownLockAhead(stack string, info *tfstate.LockInfo) bool {
	c.locksAhead.mu.Lock()
	defer c.locksAhead.mu.Unlock()
	l := c.locksAhead.m[stack]
	return l != nil && info != nil && info.ID == l.info.ID
}

// releaseUnusedLocks releases, behind the run's end, the locks written
// (or maybe written) with the lease whose stages never took them: each
// only if it is the very record written, or under this run's own ID.
func (c *core) releaseUnusedLocks(ctx context.Context) {
	states, err := c.stateClient()
	if err != nil {
		return
	}
	c.locksAhead.mu.Lock()
	defer c.locksAhead.mu.Unlock()
	for stack, l := range c.locksAhead.m {
		if !(l.taken || l.maybe) || l.used {
			continue
		}
		l.used = true
		c.releases.behind(stack, func() {
			err := states.Release(context.WithoutCancel(ctx), l.loc, l.info, l.note)
			if err != nil && !(l.maybe && errors.Is(err, tfstate.ErrNotHeld)) {
				c.note("stack."+stack, fmt.Sprintf("could not release the state lock %s taken with the run lease: %v; the next run releases it", l.info.ID, err))
			}
		})
	}
}

// newLockInfo is a new state lock of this run's, as holdStateLock takes it.
func (c *core) newLockInfo() (tfstate.LockInfo, string) {
	return tfstate.LockInfo{ID: stateLockID(c.runID), Operation: "OperationTypeApply", Who: WhoAmI(),
		Version: engineVersion(c.engine), Created: time.Now().UTC()}, "tfrebuild run " + c.runID
}
