package rebuild

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/stages"
	"github.com/tfrebuild/tfrebuild/tfstate"
)

func countOf(list []string, s string) int {
	n := 0
	for _, v := range list {
		if v == s {
			n++
		}
	}
	return n
}

const (
	baseLock = "p-tfstate/p/base/terraform.tfstate"
	appLock  = "p-tfstate/p/app/terraform.tfstate"
)

// heldDuring records, for each apply, whether the stack's lock taken with
// the lease was held while it ran.
func heldDuring(w *world) map[string]bool {
	held := map[string]bool{}
	w.tf.hook = func(stack string) {
		w.cloud.mu.Lock()
		defer w.cloud.mu.Unlock()
		id := w.cloud.withLease["p-tfstate/p/"+stack+"/terraform.tfstate"]
		held[stack] = id != "" && w.cloud.held[id]
	}
	return held
}

// The stacks that run first take their state locks in the lease's own
// write: a new rebuild's root stack, and a resume's failed stack whose
// upstream is done. Each apply runs under that lock, no second lock is
// taken for it, and every lock is released by the run's end.
func TestTheFirstStackToRunLocksWithTheLease(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.cloud.beside = true
	w.tf.fail["app"] = errors.New("boom")
	held := heldDuring(w)
	if _, err := w.apply(); err == nil {
		t.Fatal("app did not fail")
	}
	base := w.cloud.withLease[baseLock]
	if base == "" || w.cloud.withLease[appLock] != "" {
		t.Fatalf("a new rebuild's locks with the lease: %v, want base's alone", w.cloud.withLease)
	}
	if !held["base"] || slices.Contains(w.cloud.acquired, base) {
		t.Errorf("base's apply under the lease's lock: %v; locks acquired apart %v", held["base"], w.cloud.acquired)
	}
	delete(w.tf.fail, "app")
	if _, err := w.apply(); !errors.Is(err, stages.ErrWaiting) {
		t.Fatal(err)
	}
	app := w.cloud.withLease[appLock]
	if app == "" || !held["app"] || slices.Contains(w.cloud.acquired, app) {
		t.Errorf("the resume's failed stack: lock %q with the lease, held during its apply %v, acquired apart %v", app, held["app"], w.cloud.acquired)
	}
	if n := countOf(w.tf.appliedList(), "base"); n != 1 {
		t.Errorf("base applied %d times, want once: the resume skips it", n)
	}
	if n := len(w.cloud.held); n != 0 {
		t.Errorf("%d state locks held after the runs: %v", n, w.cloud.held)
	}
}

// resumeWhereAppNeverRuns runs the world until app fails, then resumes
// it (after before) with a lease able to carry locks: app runs first and
// is locked with the lease, but base's state changed behind the
// checkpoint, so the resume runs base, which fails, and app never runs.
// It returns app's lock ID.
func resumeWhereAppNeverRuns(t *testing.T, w *world, before func()) string {
	t.Helper()
	w.cloud.beside = true
	w.tf.fail["app"] = errors.New("boom")
	if _, err := w.apply(); err == nil {
		t.Fatal("app did not fail")
	}
	w.tf.mu.Lock()
	w.tf.state["base"] = map[string]cty.Value{"id": cty.StringVal("b-2")}
	w.tf.fail["base"] = errors.New("boom")
	delete(w.tf.fail, "app")
	w.tf.mu.Unlock()
	before()
	if _, err := w.apply(); err == nil {
		t.Fatal("base did not fail")
	}
	app := w.cloud.withLease[appLock]
	if app == "" {
		t.Fatalf("app's lock was not sent with the lease: %v", w.cloud.withLease)
	}
	return app
}

// A lock taken with the lease whose stage never runs (its upstream
// stack failed first) is released at the run's end.
func TestALockTakenWithTheLeaseIsReleasedWhenItsStageNeverRuns(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	app := resumeWhereAppNeverRuns(t, w, func() {})
	if w.cloud.held[app] {
		t.Errorf("app's lock %s is held after the run", app)
	}
	if n := countOf(w.tf.appliedList(), "app"); n != 1 {
		t.Errorf("app ran %d times, want once (the first run): %v", n, w.tf.appliedList())
	}
}

// A foreign lock on the first stack's state fails the lease's write on it
// alone: the lease is held, and the stack finds the lock as ever.
func TestAForeignLockLeavesTheLeaseWrittenAlone(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.cloud.beside = true
	w.cloud.lock = &tfstate.LockInfo{ID: "bob-1", Who: "bob@h2", Created: time.Now()}
	_, err := w.apply()
	if err == nil || len(w.cloud.withLease) != 0 {
		t.Fatalf("with bob's lock in place: %v; locks with the lease %v", err, w.cloud.withLease)
	}
	if !strings.Contains(err.Error(), "force-unlock -force bob-1") {
		t.Errorf("the stack's error does not name bob's lock: %v", err)
	}
	if h, _, _ := w.cloud.leases.Read(t.Context()); h != nil {
		t.Errorf("the lease is held after the run: %+v", h)
	}
}

// The connection (the identity checks and the reads beside them) starts
// before the run's local work: the checkpoint store is opened only once
// Connect has been called. Its retries still show as preflight's notes
// (TestAWSRetriesAreStageNotes).
func TestTheConnectionStartsBeforeTheLocalWork(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	opts := w.common()
	called := make(chan struct{})
	var once sync.Once
	connect, store := opts.Deps.Connect, opts.Deps.Store
	opts.Deps.Connect = func(ctx context.Context, cfg *config.Config) (*Connection, error) {
		once.Do(func() { close(called) })
		return connect(ctx, cfg)
	}
	opts.Deps.Store = func(ctx context.Context, cfg *config.Config, write bool) (checkpoint.Store, error) {
		select {
		case <-called:
		case <-time.After(30 * time.Second): // only a failure waits this long
			t.Error("the checkpoint store was opened before the connection started")
		}
		return store(ctx, cfg, write)
	}
	if _, err := Apply(context.Background(), w.cfg, ApplyOptions{Common: opts}); !errors.Is(err, stages.ErrWaiting) {
		t.Fatal(err)
	}
}

// A lease transaction that landed but whose answer was lost (its retry
// refused by its own records) leaves the locks maybe written: the lease
// is found this run's, and a lock whose stage never runs is released at
// the end all the same.
func TestALockMaybeWrittenWithTheLeaseIsReleased(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	app := resumeWhereAppNeverRuns(t, w, func() { w.cloud.lostAnswer = true })
	if w.cloud.held[app] {
		t.Errorf("app's lock %s, written with a lease whose answer was lost, is held after the run", app)
	}
}

// A stack that starts long after the lease was written (it waited for
// others) takes its lock again under the same ID instead of trusting it:
// someone may have released it by hand since and taken their own.
func TestALateStageTakesItsLockAgain(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.cloud.beside = true
	var late atomic.Int64
	opts := w.common()
	opts.Clock = func() time.Time { return time.Now().Add(time.Duration(late.Load())) }
	w.cloud.hook = func(name string) {
		if name == "EnsureLockTable" { // the state stage, after the lease, before base starts
			late.Store(int64(time.Minute))
		}
	}
	if _, err := Apply(context.Background(), w.cfg, ApplyOptions{Common: opts}); !errors.Is(err, stages.ErrWaiting) {
		t.Fatal(err)
	}
	base := w.cloud.withLease[baseLock]
	if base == "" || !slices.Contains(w.cloud.acquired, base) {
		t.Errorf("base's lock %q, written with the lease a minute before its stage, was not taken again (acquired %v)", base, w.cloud.acquired)
	}
	if len(w.cloud.held) != 0 {
		t.Errorf("locks held after the run: %v", w.cloud.held)
	}
}

// A lease transaction that landed but whose every retry timed out fails
// the run, and the locks it wrote are released at the run's end.
func TestLocksOfALeaseThatTimedOutAreReleased(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.cloud.beside, w.cloud.leaseTimesOut = true, true
	if _, err := w.apply(); err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("the run: %v, want the lease's time-out", err)
	}
	base := w.cloud.withLease[baseLock]
	if base == "" {
		t.Fatalf("base's lock was not written with the lease: %v", w.cloud.withLease)
	}
	if w.cloud.held[base] {
		t.Errorf("base's lock %s, written by a lease transaction that timed out, is held after the run", base)
	}
}
