package rebuild

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/terraform"
)

// orderCloud's EnsureBucket holds until the warm-up has done what it
// waits for (or a generous bound passes, and the test then fails on the
// order), recording the order of events.
type orderCloud struct {
	*bucketCloud
	tf      *warmTF
	waitFor string
	// tableWaitFor holds EnsureLockTable the same way.
	tableWaitFor string
}

func (o *orderCloud) EnsureLockTable(ctx context.Context, table string, opts bootstrap.Options) (*bootstrap.Report, error) {
	o.tf.waitFor(o.tableWaitFor)
	defer o.tf.event("table exists")
	return o.bucketCloud.EnsureLockTable(ctx, table, opts)
}

func (o *orderCloud) EnsureBucket(ctx context.Context, account string, st config.State, opts bootstrap.Options) (*bootstrap.Report, error) {
	o.tf.event("bucket checked")
	o.tf.waitFor(o.waitFor)
	defer o.tf.event("bucket exists")
	return o.bucketCloud.EnsureBucket(ctx, account, st, opts)
}

// warmTF records Prepare and Init in one sequence with the bucket's.
type warmTF struct {
	*processTF
	mu     sync.Mutex
	cond   *sync.Cond
	events []string
}

func (w *warmTF) event(e string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.events = append(w.events, e)
	w.cond.Broadcast()
}

func (w *warmTF) waitFor(e string) {
	deadline := time.AfterFunc(10*time.Second, func() { w.event("gave up waiting") })
	defer deadline.Stop()
	w.mu.Lock()
	defer w.mu.Unlock()
	for e != "" && !slices.Contains(w.events, e) && !slices.Contains(w.events, "gave up waiting") {
		w.cond.Wait()
	}
}

func (w *warmTF) Prepare(_ context.Context, s terraform.Stack) error {
	w.event("prepare " + s.Name)
	return nil
}

func (w *warmTF) Init(ctx context.Context, s terraform.Stack) error {
	w.event("init " + s.Name)
	return w.processTF.Init(ctx, s)
}

func (w *warmTF) sequence() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.events
	w.events = nil
	return out
}

func before(seq []string, a, b string) bool {
	i, j := slices.Index(seq, a), slices.Index(seq, b)
	return i >= 0 && j >= 0 && i < j
}

// A new target: stacks are prepared while the bucket is created, and
// initialised once it exists, while the lock table is created. A resume whose backend exists inits
// the stack still to run while the state is checked again, and leaves
// the done ones alone.
func TestStacksWarmUpAheadOfTheBackend(t *testing.T) {
	t.Parallel()
	w, bc, ptf := stateWorld(t)
	w.cfg.Steps, w.cfg.Checks = nil, nil
	wtf := &warmTF{processTF: ptf}
	wtf.cond = sync.NewCond(&wtf.mu)
	oc := &orderCloud{bucketCloud: bc, tf: wtf, waitFor: "prepare app", tableWaitFor: "init base"}
	run := func() error {
		t.Helper()
		deps := w.deps()
		deps.Connect = func(context.Context, *config.Config) (*Connection, error) {
			return &Connection{Cloud: oc, States: oc, Identity: bootstrap.Identity{Account: "123456789012"}}, nil
		}
		deps.Terraform = func(context.Context, *config.Config, string, bool) (Terraform, *terraform.Binary, error) {
			return wtf, &terraform.Binary{Version: "1.11.4", Path: "/fake/terraform"}, nil
		}
		opts := w.common()
		opts.Deps = deps
		_, err := Apply(context.Background(), w.cfg, ApplyOptions{Common: opts})
		return err
	}
	if err := run(); err != nil {
		t.Fatal(err)
	}
	seq := wtf.sequence()
	if !before(seq, "prepare base", "bucket exists") || !before(seq, "prepare app", "bucket exists") || !before(seq, "bucket exists", "init base") {
		t.Errorf("new target: %v; want every stack prepared while the bucket is created, init after", seq)
	}
	if !before(seq, "init base", "table exists") {
		t.Errorf("new target: %v; init needs the bucket, not the lock table", seq)
	}
	oc.tableWaitFor = ""

	// app fails; the resume inits it while the bucket is checked again.
	w.tf.fail["app"] = errBoom
	bc.write(t, terraform.StateKey("p", "app"), nil) // a new version: app must run again
	oc.waitFor = ""
	if err := run(); err == nil {
		t.Fatal("app should have failed")
	}
	delete(w.tf.fail, "app")
	oc.waitFor = "init app"
	wtf.sequence()
	if err := run(); err != nil {
		t.Fatal(err)
	}
	seq = wtf.sequence()
	if !before(seq, "init app", "bucket exists") {
		t.Errorf("resume: %v; want app initialised while the bucket is checked", seq)
	}
	if slices.Contains(seq, "init base") || slices.Contains(seq, "prepare base") {
		t.Errorf("resume: %v; base is done and unchanged, and needs no Terraform", seq)
	}
}
