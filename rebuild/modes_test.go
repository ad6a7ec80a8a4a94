package rebuild

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/outcome"
	"github.com/tfrebuild/tfrebuild/stages"
	"github.com/tfrebuild/tfrebuild/terraform"
	"github.com/tfrebuild/tfrebuild/tfstate"
)

// A plan has no write path: it never opens the store, and its bootstrap
// calls are dry runs.
func TestPlanIsReadOnlyAndCarriesMocks(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	deps := w.deps()
	deps.Store = func(context.Context, *config.Config, bool) (checkpoint.Store, error) {
		t.Error("plan opened the checkpoint store")
		return nil, errors.New("no store for plan")
	}
	w.cloud.noState[terraform.StateKey("p", "base")] = true
	rep, err := Plan(context.Background(), w.cfg, PlanOptions{Common: Common{Parallelism: 2, Sinks: w.common().Sinks, Deps: deps}})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range w.cloud.opts[:len(w.cloud.calls)] {
		if o.Project != "" && !o.DryRun {
			t.Errorf("a bootstrap call without DryRun: %+v (calls %v)", o, w.cloud.calls)
		}
	}
	if len(w.tf.appliedList()) != 0 {
		t.Errorf("plan applied: %v", w.tf.appliedList())
	}
	if !rep.ChangesPending || rep.Totals["create"] != 3 || !rep.Mocked || len(rep.Stages) != 7 {
		t.Errorf("report: %+v", rep)
	}
	var app *outcome.PlanStage
	for _, s := range rep.Stages {
		if s.Name == "stack.app" {
			app = s
		}
	}
	if app == nil || !app.Mocked || len(app.MockedInputs) != 1 || !strings.Contains(app.MockedInputs[0], "id = stack.base.outputs.id (mock)") {
		t.Errorf("stack.app: %+v", app)
	}
	if v := w.tf.vars["app"]["id"]; v.AsString() != "mock-id" {
		t.Errorf("app planned with id %#v, want the mock", v)
	}
	if _, err := w.store.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(rep.Failed()) != 0 {
		t.Errorf("failed: %v", rep.Failed())
	}
}

func TestPlanReportsAFailedStack(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.tf.fail["app"] = errBoom
	rep, err := Plan(context.Background(), w.cfg, PlanOptions{Common: w.common()})
	if !errors.Is(err, errBoom) || !slices.Equal(rep.Failed(), []string{"check.health", "stack.app", "step.handoff"}) {
		t.Fatalf("err %v, failed %v", err, rep.Failed())
	}
	if !strings.Contains(rep.Stages[4].Error, "boom") || !strings.Contains(rep.Stages[4].Error, "mocked") {
		t.Errorf("the error should say the plan rested on mocks: %q", rep.Stages[4].Error)
	}
}

func TestDestroyTearsDownAndForgets(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	_, _ = w.apply()
	sum, err := Destroy(context.Background(), w.cfg, DestroyOptions{Common: w.common(), All: true})
	if err != nil {
		t.Fatal(err)
	}
	got := w.tf.appliedList()[2:]
	if !slices.Equal(got, []string{"destroy app", "destroy base"}) {
		t.Errorf("destroyed %v, want app then base", got)
	}
	if w.cloud.called("DeleteRegistries") != 1 || w.cloud.called("DeleteState:p-lock") != 1 {
		t.Errorf("calls: %v", w.cloud.calls)
	}
	c := w.checkpoint()
	if len(c.Stages) != 0 || !c.StartedAt.IsZero() {
		t.Errorf("the checkpoint remembers a destroyed target: %+v", c)
	}
	if len(sum.Stages) == 0 {
		t.Error("empty summary")
	}
}

func TestDestroyWithoutStateForgetsOnlyTheStacks(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	_, _ = w.apply()
	w.cloud.noState[terraform.StateKey("p", "base")] = true
	if _, err := Destroy(context.Background(), w.cfg, DestroyOptions{Common: w.common()}); err != nil {
		t.Fatal(err)
	}
	c := w.checkpoint()
	if c.Stages["stack.base"] != nil || c.Stages["stack.app"] != nil || c.Stages["state"] == nil {
		t.Errorf("checkpoint after destroy without --all: %+v", c.Stages)
	}
	// #11.8: the rebuild that built them is over; the next apply begins a
	// new one with its own clock.
	if !c.StartedAt.IsZero() || len(c.Runs) != 0 {
		t.Errorf("destroy left the rebuild's clock running: began %v, runs %+v", c.StartedAt, c.Runs)
	}
	if !slices.Contains(w.tf.appliedList(), "destroy app") || slices.Contains(w.tf.appliedList(), "destroy base") {
		t.Errorf("destroyed %v", w.tf.appliedList())
	}
}

// The previous run died mid-apply; the state lock it left is released only
// when it is provably that run's.
func TestStaleStateLockRelease(t *testing.T) {
	t.Parallel()
	started := time.Now().UTC().Add(-time.Minute)
	prev := checkpoint.Holder{RunID: "dead", User: "ann", Host: "h1", PID: 1}
	crashed := func(w *world) {
		c := checkpoint.New("p", "123456789012", "eu-west-2")
		run := prev
		c.Run, c.StartedAt = &run, started
		rec := c.Stage("stack.base")
		rec.Status, rec.StartedAt, rec.Attempts = stages.Running, &started, 1
		if err := w.store.Save(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("ours", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		crashed(w)
		w.cloud.lock = &tfstate.LockInfo{ID: "dead-0123456789abcdef", Who: "ann@h1", Created: started.Add(time.Second)}
		if _, err := w.apply(); !errors.Is(err, stages.ErrWaiting) {
			t.Fatal(err)
		}
		if !slices.Equal(w.cloud.unlocked, []string{"dead-0123456789abcdef"}) {
			t.Errorf("unlocked %v", w.cloud.unlocked)
		}
		if r := w.checkpoint().Stages["stack.base"]; r.Attempts != 2 || !strings.Contains(strings.Join(r.Notes, "\n"), "released the state lock") {
			t.Errorf("stack.base: %+v", r)
		}
	})
	t.Run("someone else's", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		crashed(w)
		w.cloud.lock = &tfstate.LockInfo{ID: "lock-2", Who: "bob@h2", Created: started.Add(time.Second)}
		_, err := w.apply()
		if err == nil || !strings.Contains(err.Error(), "force-unlock -force lock-2") || len(w.cloud.unlocked) != 0 {
			t.Errorf("want the lock left and explained, got %v (unlocked %v)", err, w.cloud.unlocked)
		}
	})
	// Same user and host, but not a lock of the dead run: another checkout's
	// live lock, or a person's Terraform. Never released by user@host.
	t.Run("same user and host, another ID", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		crashed(w)
		w.cloud.lock = &tfstate.LockInfo{ID: "1947c0de-0000-4000-8000-000000000000", Who: "ann@h1", Created: started.Add(time.Second)}
		if _, err := w.apply(); err == nil || len(w.cloud.unlocked) != 0 {
			t.Errorf("a lock of the same user@host but another ID was released: %v (unlocked %v)", err, w.cloud.unlocked)
		}
	})
	// A stack that ran first took its lock with the run lease, before its
	// stage started: a lock of the dead run since that run began.
	t.Run("taken with the lease, before the stage", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		c := checkpoint.New("p", "123456789012", "eu-west-2")
		run := prev
		run.Since = started.Add(-10 * time.Second)
		c.Run, c.StartedAt = &run, started
		rec := c.Stage("stack.base")
		rec.Status, rec.StartedAt, rec.Attempts = stages.Running, &started, 1
		if err := w.store.Save(context.Background(), c); err != nil {
			t.Fatal(err)
		}
		w.cloud.lock = &tfstate.LockInfo{ID: "dead-fedcba9876543210", Who: "ann@h1", Created: started.Add(-5 * time.Second)}
		if _, err := w.apply(); !errors.Is(err, stages.ErrWaiting) {
			t.Fatal(err)
		}
		if !slices.Equal(w.cloud.unlocked, []string{"dead-fedcba9876543210"}) {
			t.Errorf("unlocked %v", w.cloud.unlocked)
		}
	})
	t.Run("older than the stage", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		crashed(w)
		w.cloud.lock = &tfstate.LockInfo{ID: "dead-lock-3", Who: "ann@h1", Created: started.Add(-time.Hour)}
		if _, err := w.apply(); err == nil || len(w.cloud.unlocked) != 0 {
			t.Errorf("a lock older than the stage was released: %v", err)
		}
	})
}

func TestStatusConfirmAndDrift(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	st, err := ReadStatus(ctx, w.cfg, StatusOptions{Deps: w.deps()})
	if err != nil || st.StartedAt != nil || len(st.Next) != 1 || st.Next[0] != "preflight" {
		t.Fatalf("status before any run: %+v %v", st, err)
	}
	if _, err := Confirm(ctx, w.cfg, ConfirmOptions{Step: "handoff", Deps: w.deps()}); err == nil || !strings.Contains(err.Error(), "no rebuild has started") {
		t.Errorf("confirm before a run: %v", err)
	}
	if _, err := Confirm(ctx, w.cfg, ConfirmOptions{Step: "nope", Deps: w.deps()}); err == nil || !strings.Contains(err.Error(), "(steps: handoff)") {
		t.Errorf("confirm of an unknown step: %v", err)
	}
	w.cloud.drift = true
	_, _ = w.apply()
	st, err = ReadStatus(ctx, w.cfg, StatusOptions{Deps: w.deps(), Now: time.Now().Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Drift) != 1 || st.Drift[0] != "state: drift s3://p-tfstate: versioning is off" {
		t.Errorf("drift: %q", st.Drift)
	}
	if !slices.Equal(st.Next, []string{"step.handoff"}) || st.ElapsedSeconds < 60 || st.Running != nil {
		t.Errorf("status: next %v elapsed %v running %v", st.Next, st.ElapsedSeconds, st.Running)
	}
	w.confirm()
	w.cloud.drift = false
	if _, err := w.apply(); err != nil {
		t.Fatal(err)
	}
	st, _ = ReadStatus(ctx, w.cfg, StatusOptions{Deps: w.deps()})
	if len(st.Next) != 0 || len(st.Drift) != 0 || st.Stages[6].ConfirmedBy != "ann@h" {
		t.Errorf("complete status: %+v", st)
	}
}

// A run after the state stage was done checks the bucket's drift beside
// the stacks: the stage is proved and finished first, and the drift still
// reaches its findings, status and the events before the run ends.
func TestResumedStateDriftIsCheckedLater(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.cfg.Steps, w.cfg.Checks = nil, nil
	if _, err := w.apply(); err != nil {
		t.Fatal(err)
	}
	w.cloud.drift = true
	leaveUnfinished(t, w)
	if _, err := w.apply(); err != nil {
		t.Fatal(err)
	}
	st, err := ReadStatus(context.Background(), w.cfg, StatusOptions{Deps: w.deps()})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Drift) != 1 || st.Drift[0] != "state: drift s3://p-tfstate: versioning is off" {
		t.Errorf("drift found later: %q", st.Drift)
	}
	var runs, driftNotes int
	for _, e := range w.sink.of("") {
		switch {
		case e.Type == events.StageNote && e.Stage == "state" && strings.Contains(e.Message, "versioning is off"):
			driftNotes++
		case e.Type == events.RunFinished:
			if runs++; runs == 2 && driftNotes != 1 {
				t.Errorf("the second run noted the drift %d times before it finished", driftNotes)
			}
		}
	}
	calls := w.cloud.callsOf("EnsureBucket")
	if len(calls) != 2 || calls[0].DriftLater || !calls[1].DriftLater {
		t.Errorf("DriftLater only for the resumed state stage: %+v", calls)
	}
}

func TestACheckThatNeverAnswersFails(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := poll(ctx, "http://127.0.0.1:1/", "shown", 200, time.Minute, time.Millisecond); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled poll: %v", err)
	}
	err := poll(context.Background(), "http://127.0.0.1:1/", "shown", 200, 50*time.Millisecond, time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "shown did not answer HTTP 200 within 50ms") {
		t.Errorf("poll: %v", err)
	}
}

// hangingStore never finishes a save until its context ends.
type hangingStore struct{ checkpoint.Store }

func (hangingStore) Save(ctx context.Context, _ *checkpoint.Checkpoint) error {
	<-ctx.Done()
	return ctx.Err()
}

// A store that hangs does not hold the run: the save on the event path
// gives up and says so.
func TestACheckpointSaveThatHangsTimesOut(t *testing.T) {
	t.Parallel()
	w, c := worldCore(t)
	c.saveTimeout = 10 * time.Millisecond
	c.save(hangingStore{}, "stack.base")
	notes := w.sink.of(events.StageNote)
	if len(notes) != 1 || !strings.Contains(notes[0].Message, "could not save the checkpoint: context deadline exceeded") {
		t.Errorf("notes: %+v", notes)
	}
}

func TestThePlannersBootstrapIsAlwaysADryRun(t *testing.T) {
	t.Parallel()
	cloud := &fakeCloud{}
	d := dryRun{cloud}
	opts := bootstrap.Options{Project: "p", Repair: true, Converge: true}
	_, _ = d.EnsureBucket(context.Background(), "1", config.State{}, opts)
	_, _ = d.EnsureLockTable(context.Background(), "t", opts)
	_, _ = d.EnsureRegistries(context.Background(), nil, opts)
	for i, o := range cloud.opts {
		if !o.DryRun || o.Repair {
			t.Errorf("%s ran with %+v", cloud.calls[i], o)
		}
	}
	if len(cloud.opts) != 3 {
		t.Errorf("calls: %v", cloud.calls)
	}
}

// A run that died between its engine's end and the release of the state
// lock (released behind the stage, lockReleases) leaves its lock on a
// stack it finished. The next run releases that lock, since its ID is the
// dead run's, and applies; a lock of anyone else stops the stack with
// the command that releases it.
func TestAStateLockLeftOnAFinishedStackByThePreviousRun(t *testing.T) {
	t.Parallel()
	complete := func(t *testing.T) (*world, *checkpoint.Holder) {
		w := newWorld(t)
		if _, err := w.apply(); !errors.Is(err, stages.ErrWaiting) {
			t.Fatal(err)
		}
		w.confirm()
		if _, err := w.apply(); err != nil {
			t.Fatal(err)
		}
		return w, w.checkpoint().Run
	}
	t.Run("the previous run's", func(t *testing.T) {
		t.Parallel()
		w, prev := complete(t)
		w.cloud.lock = &tfstate.LockInfo{ID: prev.RunID + "-0123456789abcdef", Who: prev.User + "@" + prev.Host, Created: time.Now().Add(-time.Hour)}
		if _, err := w.apply(); err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(w.cloud.unlocked, w.cloud.lock.ID) {
			t.Errorf("the dead run's lock was not released: unlocked %v", w.cloud.unlocked)
		}
		if n := strings.Join(w.checkpoint().Stages["stack.base"].Notes, "\n"); !strings.Contains(n, "released the state lock left by this target's previous run") {
			t.Errorf("stack.base does not say it released the lock: %q", n)
		}
	})
	t.Run("someone else's", func(t *testing.T) {
		t.Parallel()
		w, prev := complete(t)
		w.cloud.lock = &tfstate.LockInfo{ID: "lock-2", Who: prev.User + "@" + prev.Host, Created: time.Now()}
		_, err := w.apply()
		if err == nil || !strings.Contains(err.Error(), "lock ID lock-2") || len(w.cloud.unlocked) != 0 {
			t.Errorf("want the lock left and named, got %v (unlocked %v)", err, w.cloud.unlocked)
		}
	})
}
