package rebuild

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/internal/testenv"
	"github.com/tfrebuild/tfrebuild/stages"
	"github.com/tfrebuild/tfrebuild/terraform"
	"github.com/tfrebuild/tfrebuild/timeline"
)

// The fake clock moves only when told: a stack's apply takes the time the
// test gives it, and a person takes the time the test skips.

// slowTF is the fake Terraform whose applies take time on the fake clock.
type slowTF struct {
	*fakeTF
	clk  *testenv.Clock
	took map[string]time.Duration
}

func (s slowTF) Apply(ctx context.Context, st terraform.Stack) (*terraform.Result, error) {
	s.clk.Add(s.took[st.Name])
	return s.fakeTF.Apply(ctx, st)
}

func timedWorld(t *testing.T) (*world, *testenv.Clock, Common) {
	w := newWorld(t)
	clk := testenv.NewClock(time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC))
	deps := w.deps()
	slow := slowTF{fakeTF: w.tf, clk: clk, took: map[string]time.Duration{"base": 10 * time.Minute, "app": 5 * time.Minute}}
	deps.Terraform = func(context.Context, *config.Config, string, bool) (Terraform, *terraform.Binary, error) {
		return slow, &terraform.Binary{Version: "1.11.4", Path: "/fake/terraform"}, nil
	}
	return w, clk, Common{Parallelism: 4, Sinks: []events.Sink{w.sink}, Deps: deps, Clock: clk.Now}
}

func minutes(f float64) float64 { return f / 60 }

// The RTO clock of one rebuild across a failure, the fix, a wait on a
// person and two resumes: every minute is counted once, in the right
// column, and the summary and status agree.
func TestTheRTOClockSpansFailureFixAndResume(t *testing.T) {
	t.Parallel()
	w, clk, common := timedWorld(t)
	ctx := context.Background()
	w.tf.fail["app"] = errBoom
	// 03:00 base 10m, app fails after 5m: the run ends at 03:15.
	if _, err := Apply(ctx, w.cfg, ApplyOptions{Common: common}); !errors.Is(err, errBoom) {
		t.Fatalf("first run: %v", err)
	}
	clk.Add(20 * time.Minute) // someone fixes it until 03:35
	delete(w.tf.fail, "app")
	// 03:35 base up to date, app 5m, the check passes, the step waits at 03:40.
	if _, err := Apply(ctx, w.cfg, ApplyOptions{Common: common}); !errors.Is(err, stages.ErrWaiting) {
		t.Fatalf("second run: %v", err)
	}
	clk.Add(10 * time.Minute)
	if _, err := Confirm(ctx, w.cfg, ConfirmOptions{Step: "handoff", By: "ann@h", Now: clk.Now(), Deps: w.deps()}); err != nil {
		t.Fatal(err)
	}
	clk.Add(5 * time.Minute) // 03:55 the last run goes past the step
	sum, err := Apply(ctx, w.cfg, ApplyOptions{Common: common})
	if err != nil {
		t.Fatalf("third run: %v", err)
	}
	rto := sum.Clock
	want := map[string][2]float64{"elapsed": {rto.ElapsedSeconds, 55}, "working": {rto.WorkingSeconds, 15},
		"failed": {rto.FailedSeconds, 5}, "waiting": {rto.WaitingSeconds, 10}, "idle": {rto.IdleSeconds, 25}}
	for name, v := range want {
		if minutes(v[0]) != v[1] {
			t.Errorf("%s = %vm, want %vm (%+v)", name, minutes(v[0]), v[1], rto)
		}
	}
	if rto.Runs != 3 || !rto.Met || !rto.RebuildStarted.Equal(time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)) {
		t.Errorf("clock: %+v", rto)
	}
	// status, read much later, tells the same story: the clock stopped
	// when the last stage was done.
	st, err := ReadStatus(ctx, w.cfg, StatusOptions{Deps: w.deps(), Now: clk.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if *st.RTO != *rto || st.ElapsedSeconds != rto.ElapsedSeconds {
		t.Errorf("status %+v\nsummary %+v", st.RTO, rto)
	}
	fin := w.sink.of(events.RunFinished)
	if got := fin[len(fin)-1].RTO; *got != *rto {
		t.Errorf("run_finished %+v, summary %+v", got, rto)
	}
	// The critical path: base then app, 10 and 5 minutes.
	cp := sum.CriticalPath
	if cp == nil || cp.Seconds != 900 {
		t.Fatalf("critical path %+v", cp)
	}
	shares := map[string]float64{}
	for _, s := range cp.Stages {
		shares[s.Stage] = s.Share
	}
	if shares["stack.base"] != 0.667 || shares["stack.app"] != 0.333 {
		t.Errorf("shares %v", shares)
	}
	if st.CriticalPath == nil || st.CriticalPath.Seconds != 900 {
		t.Errorf("status critical path %+v", st.CriticalPath)
	}
}

// A resumed run that skips a stage as up to date keeps its record and
// adds the skip to its history.
func TestResumeKeepsTheHistoryOfWhatItSkips(t *testing.T) {
	t.Parallel()
	w, clk, common := timedWorld(t)
	ctx := context.Background()
	w.tf.fail["app"] = errBoom
	_, _ = Apply(ctx, w.cfg, ApplyOptions{Common: common})
	first := *w.checkpoint().Stages["stack.base"]
	clk.Add(time.Hour)
	delete(w.tf.fail, "app")
	sum, _ := Apply(ctx, w.cfg, ApplyOptions{Common: common})
	base := w.checkpoint().Stages["stack.base"]
	if base.Status != stages.Done || !base.StartedAt.Equal(*first.StartedAt) || !base.FinishedAt.Equal(*first.FinishedAt) {
		t.Errorf("the skip overwrote the record: before %+v after %+v", first, base)
	}
	if len(base.History) != 2 || base.History[0].Outcome != checkpoint.Applied || base.History[1].Outcome != checkpoint.UpToDate ||
		base.Attempts != 2 || base.History[1].StartedAt.Before(*first.FinishedAt) {
		t.Errorf("history %+v", base.History)
	}
	app := w.checkpoint().Stages["stack.app"]
	if len(app.History) != 2 || app.History[0].Outcome != checkpoint.Failed || app.History[0].Error != "boom" || app.History[1].Outcome != checkpoint.Applied {
		t.Errorf("app history %+v", app.History)
	}
	for _, row := range sum.Stages {
		if row.Name == "stack.base" && (row.Status != stages.Skipped || !row.UpToDate) {
			t.Errorf("the summary shows a skipped stack as %+v", row)
		}
	}
	var skipped *events.Event
	for _, e := range w.sink.of(events.StageFinished) {
		if e.Stage == "stack.base" && e.Attempt == 2 {
			skipped = &e
		}
	}
	if skipped == nil || skipped.Outcome != events.OutcomeSkipped {
		t.Errorf("stage_finished of the skip: %+v", skipped)
	}
	st, err := ReadStatus(ctx, w.cfg, StatusOptions{Deps: w.deps()})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st.Stages {
		if s.Name == "stack.base" && (len(s.Attempts) != 2 || s.AttemptCount != 2 || s.Status != stages.Done) {
			t.Errorf("status of base: %+v", s)
		}
		if s.Name == "step.handoff" && s.Status != stages.Waiting {
			t.Errorf("step before confirm: %s", s.Status)
		}
	}
	w.confirm()
	st, _ = ReadStatus(ctx, w.cfg, StatusOptions{Deps: w.deps()})
	for _, s := range st.Stages {
		if s.Name == "step.handoff" && s.Status != timeline.Confirmed {
			t.Errorf("#11.8: a confirmed step still shows %s", s.Status)
		}
	}
	if len(st.Next) != 1 || st.Next[0] != "step.handoff" {
		t.Errorf("next after confirm: %v", st.Next)
	}
}

// A run that died mid-stage: its open attempt ends where the run was last
// seen, as lost time; the time until the next run is idle.
func TestADeadRunsAttemptIsLostTime(t *testing.T) {
	t.Parallel()
	w, clk, common := timedWorld(t)
	t0 := clk.Now()
	at := func(m int) *time.Time { v := t0.Add(time.Duration(m) * time.Minute); return &v }
	c := checkpoint.New("p", "123456789012", "eu-west-2")
	c.StartedAt = t0
	c.Runs = []checkpoint.Run{{RunID: "dead", StartedAt: t0, LastSeen: *at(3)}}
	rec := c.Stage("preflight")
	rec.Status, rec.StartedAt, rec.Attempts = stages.Running, at(1), 1
	rec.History = []checkpoint.Attempt{{RunID: "dead", StartedAt: *at(1)}}
	if err := w.store.Save(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	clk.Add(10 * time.Minute)
	common.Sinks = append(common.Sinks, events.SinkFunc(func(e events.Event) {
		if e.Type != events.RunStarted {
			return
		}
		r := e.RTO
		if minutes(r.ElapsedSeconds) != 10 || minutes(r.WorkingSeconds) != 1 || minutes(r.FailedSeconds) != 2 || minutes(r.IdleSeconds) != 7 || r.Runs != 2 {
			t.Errorf("clock at the resume: %+v", r)
		}
	}))
	_, _ = Apply(context.Background(), w.cfg, ApplyOptions{Common: common})
	h := w.checkpoint().Stages["preflight"].History
	if len(h) != 2 || h[0].Outcome != checkpoint.Interrupted || !h[0].FinishedAt.Equal(*at(3)) {
		t.Errorf("the dead run's attempt: %+v", h)
	}
}

// Check and step notes belong to the attempt that made them (#11.8).
func TestNotesDoNotPileUp(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for range 3 {
		_, _ = w.apply()
	}
	c := w.checkpoint()
	for _, name := range []string{"check.health", "step.handoff"} {
		if n := len(c.Stages[name].Notes); n != 1 {
			t.Errorf("%s has %d notes after 3 runs: %q", name, n, c.Stages[name].Notes)
		}
	}
}
