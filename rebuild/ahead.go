package rebuild

import (
	"context"
	"slices"
	"sync"

	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/terraform"
	"github.com/tfrebuild/tfrebuild/tfstate"
)

// A resume knows, before any stage runs, which reads its stacks will
// make before they decide or start Terraform: each done stack's state
// object (whose version decides the skip), whether each stack still to run
// has a state object (for the report of what its apply changed) and, for a
// stack whose last attempt failed or was cut short, whether that attempt
// left a state lock. They are only reads, made while the state stage runs, and
// each is used once, by its stack's stage, which decides what to do with
// it then. A read that failed is made again.

// future is a value being read ahead of its use.
type future[T any] struct {
	done chan struct{}
	v    T
	err  error
}

// startRead starts read on its own goroutine, counted by wg.
func startRead[T any](wg *sync.WaitGroup, read func() (T, error)) *future[T] {
	f := &future[T]{done: make(chan struct{})}
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(f.done)
		f.v, f.err = read()
	}()
	return f
}

// get waits for the value; ok is false when the read failed or ctx ended
// first.
func (f *future[T]) get(ctx context.Context) (v T, ok bool) {
	if f == nil {
		return v, false
	}
	select {
	case <-f.done:
		return f.v, f.err == nil
	case <-ctx.Done():
		return v, false
	}
}

// stackReads are the reads started ahead for one stack; any may be nil.
type stackReads struct {
	state  *future[tfstate.Object] // a done stack's state object
	exists *future[bool]
	lock   *future[*tfstate.LockInfo]
}

// readStacksAhead starts the reads of the stacks still to run (todo) and
// of the done ones; the state bucket exists (a resume whose state stage
// was done). A stack into whose state a restore imports before it runs is
// asked at its own stage. A done stack's state object is read ahead only
// when the stack's stage runs as soon as the bootstrap stages end, so that
// the read is as recent as one made then.
func (a *applier) readStacksAhead(todo, done []terraform.Stack) {
	reads := map[string]*stackReads{}
	memo := map[string]bool{}
	for _, ts := range done {
		if a.recordedStateVersion("stack."+ts.Name) == "" || !a.readyAtOnce(ts.Name, memo) {
			continue
		}
		b := ts.Backend
		reads[ts.Name] = &stackReads{state: startRead(&a.warm, func() (tfstate.Object, error) {
			return a.readObject(a.warmCtx, b)
		})}
	}
	for _, ts := range todo {
		b := ts.Backend
		r := &stackReads{}
		switch {
		case !a.restoredBefore(ts.Name):
			r.exists = startRead(&a.warm, func() (bool, error) { return a.stateExists(a.warmCtx, b) })
		case a.startsAtOnce(ts.Name, memo):
			// Its import stage decides on the object, and hands the
			// read on to the stack (handOn).
			r.state = startRead(&a.warm, func() (tfstate.Object, error) { return a.readObject(a.warmCtx, b) })
		}
		if _, crashed := a.crashed["stack."+ts.Name]; crashed {
			r.lock = startRead(&a.warm, func() (*tfstate.LockInfo, error) { return a.stateLock(a.warmCtx, b) })
		}
		reads[ts.Name] = r
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.stackReadsAhead == nil {
		a.stackReadsAhead = map[string]*stackReads{}
	}
	for stack, r := range reads {
		if a.stackReadsAhead[stack] == nil { // a read handed on is newer
			a.stackReadsAhead[stack] = r
		}
	}
}

// readyAtOnce reports whether a done stack's stage runs as soon as the
// bootstrap stages end (startsAtOnce, and it was done). memo holds the
// answers so far.
func (a *applier) readyAtOnce(stack string, memo map[string]bool) bool {
	if v, ok := memo[stack]; ok {
		return v
	}
	ok := a.prevDone["stack."+stack] && a.startsAtOnce(stack, memo)
	memo[stack] = ok
	return ok
}

// startsAtOnce reports whether a stack's stages (its import stages, then
// its own) run as soon as the bootstrap stages end: every restore before
// it is done on record (a resume, or a new rebuild that finds the data
// there), and every stack it depends on, directly or not, was done and
// is ready at once too.
func (a *applier) startsAtOnce(stack string, memo map[string]bool) bool {
	if !a.restoresOnRecord(stack) {
		return false
	}
	for _, d := range a.cfg.StackDeps(a.cfg.Stack(stack)) {
		if !a.readyAtOnce(d, memo) {
			return false
		}
	}
	return true
}

// restoresOnRecord reports whether every restore that runs before the
// stack is done on record: its stage ends at once unless its target has
// lost the data (then it runs, and the stack applies after it whatever a
// read ahead said).
func (a *applier) restoresOnRecord(stack string) bool {
	for _, r := range a.cfg.Restores {
		if r.Stack == stack && r.BeforeStack() && !a.builtBefore["restore."+r.Name] {
			return false
		}
	}
	return true
}

// aheadForImport is the stack's state object read ahead for its import
// stage, when there is one and no restore into the stack ran in this run
// since (a restore that runs makes it older than a read made now).
func (a *applier) aheadForImport(ctx context.Context, stack string) (tfstate.Object, bool) {
	a.mu.Lock()
	r, ran := a.stackReadsAhead[stack], a.restoredInto[stack]
	a.mu.Unlock()
	if r == nil || ran {
		return tfstate.Object{}, false
	}
	return r.state.get(ctx)
}

// restoredBefore reports whether a restore imports into the stack's state
// before the stack runs.
func (a *applier) restoredBefore(stack string) bool {
	return slices.ContainsFunc(a.cfg.Restores, func(r *config.Restore) bool { return r.Stack == stack && r.BeforeStack() })
}

// takeReads returns the reads started ahead for a stack, once.
func (a *applier) takeReads(stack string) *stackReads {
	a.mu.Lock()
	defer a.mu.Unlock()
	r := a.stackReadsAhead[stack]
	delete(a.stackReadsAhead, stack)
	if r == nil {
		return &stackReads{}
	}
	return r
}

// resolved is a future whose value is known already.
func resolved[T any](v T) *future[T] {
	f := &future[T]{done: make(chan struct{}), v: v}
	close(f.done)
	return f
}

// existedBefore reports whether the stack's state object exists, from the
// read made ahead when there is one (r may be nil); a read made here is
// kept in r for the stage's next question.
func (a *applier) existedBefore(ctx context.Context, r *stackReads, b terraform.Backend) (bool, error) {
	if r == nil {
		r = &stackReads{}
	}
	if v, ok := r.exists.get(ctx); ok {
		return v, nil
	}
	v, err := a.stateExists(ctx, b)
	if err == nil {
		r.exists = resolved(v)
	}
	return v, err
}

// objectBefore is the stack's state object before its apply: the read
// made ahead or by its import stage when there is one, else read now and
// kept in r (which also answers existedBefore from it).
func (a *applier) objectBefore(ctx context.Context, r *stackReads, b terraform.Backend) (tfstate.Object, error) {
	if v, ok := r.state.get(ctx); ok {
		return v, nil
	}
	obj, err := a.readObject(ctx, b)
	if err == nil {
		r.keep(obj)
	}
	return obj, err
}

// keep makes obj the stage's read of the state object and of whether it
// exists.
func (r *stackReads) keep(obj tfstate.Object) {
	r.state, r.exists = resolved(obj), resolved(obj.Body != nil || obj.Version != "")
}

// handOn gives the stack's stage a read of its state object made just
// before it by a stage it waits for (its import stage), so that the stack
// does not read the object again.
func (a *applier) handOn(stack string, obj tfstate.Object) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.stackReadsAhead == nil {
		a.stackReadsAhead = map[string]*stackReads{}
	}
	r := a.stackReadsAhead[stack]
	if r == nil {
		r = &stackReads{}
		a.stackReadsAhead[stack] = r
	}
	r.keep(obj)
}

// lockBefore reads the lock on the stack's state, from the read made ahead
// when there is one (r may be nil).
func (a *applier) lockBefore(ctx context.Context, r *stackReads, b terraform.Backend) (*tfstate.LockInfo, error) {
	if r == nil {
		r = &stackReads{}
	}
	if v, ok := r.lock.get(ctx); ok {
		return v, nil
	}
	return a.stateLock(ctx, b)
}
