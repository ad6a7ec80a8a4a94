package rebuild

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/stages"
)

func TestApplyBuildsInOrderAndWaitsAtTheStep(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	sum, err := w.apply()
	if !errors.Is(err, stages.ErrWaiting) {
		t.Fatalf("apply should stop at the manual step: %v", err)
	}
	if got := w.tf.appliedList(); !slices.Equal(got, []string{"base", "app"}) {
		t.Errorf("applied %v, want base then app", got)
	}
	if v := w.tf.vars["app"]["id"]; !v.RawEquals(cty.StringVal("b-1")) {
		t.Errorf("app's input id = %#v, want base's output", v)
	}
	c := w.checkpoint()
	for _, name := range []string{"preflight", "state", "registries", "stack.base", "stack.app", "check.health"} {
		if r := c.Stages[name]; r == nil || r.Status != stages.Done || r.Attempts != 1 {
			t.Errorf("%s: %+v, want done after one attempt", name, r)
		}
	}
	if c.Stages["step.handoff"].Status != stages.Waiting || c.StartedAt.IsZero() || c.Run == nil {
		t.Errorf("checkpoint: %+v", c)
	}
	if c.Stages["stack.app"].OutputHashes["url"] == "" || c.Stages["stack.app"].Fingerprint == "" {
		t.Errorf("stack.app records no hashes: %+v", c.Stages["stack.app"])
	}
	if len(sum.Stages) != 7 || sum.RTO != time.Hour {
		t.Errorf("summary: %+v", sum)
	}
	wait := w.sink.of(events.Waiting)
	if len(wait) != 1 || wait[0].Confirm != "tfrebuild confirm handoff --config "+w.cfg.Filename {
		t.Errorf("waiting events: %+v", wait)
	}
	fin := w.sink.of(events.RunFinished)
	if len(fin) != 1 || fin[0].Outcome != "waiting" || fin[0].RTO == nil || fin[0].RTO.TargetSeconds != 3600 {
		t.Errorf("run_finished: %+v", fin)
	}
	if n := len(w.sink.of(events.StageStarted)); n != 7 {
		t.Errorf("%d stage_started events, want 7", n)
	}
	for _, e := range w.sink.of(events.StageFinished) {
		if e.RunID == "" || e.Mode != "apply" || e.Project != "p" {
			t.Errorf("event not stamped: %+v", e)
		}
	}
	// The ECR endpoint is not a backend setting.
	if b := (&core{cfg: w.cfg, conn: &Connection{Endpoints: map[string]string{"s3": "u", "ecr": "e"}}}).backend(w.cfg.Stack("app")); len(b.Endpoints) != 1 {
		t.Errorf("backend endpoints %v", b.Endpoints)
	}
}

func TestResumeSkipsWhatIsUpToDate(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	if _, err := w.apply(); !errors.Is(err, stages.ErrWaiting) {
		t.Fatal(err)
	}
	w.confirm()
	if _, err := w.apply(); err != nil {
		t.Fatalf("resume after confirm: %v", err)
	}
	if got := w.tf.appliedList(); len(got) != 2 {
		t.Errorf("a resume re-applied up-to-date stacks: %v", got)
	}
	c := w.checkpoint()
	if r := c.Stages["step.handoff"]; r.Status != stages.Done || r.ConfirmedBy != "ann@h" {
		t.Errorf("step after confirm: %+v", r)
	}
	if !slices.ContainsFunc(c.Stages["stack.app"].Notes, func(n string) bool { return strings.HasPrefix(n, "up to date") }) {
		t.Errorf("no skip note: %v", c.Stages["stack.app"].Notes)
	}
	// The state changed behind tfrebuild's back: base is applied again,
	// and its new output changes app's fingerprint.
	w.tf.mu.Lock()
	w.tf.state["base"] = map[string]cty.Value{"id": cty.StringVal("changed")}
	w.tf.outputs["base"] = map[string]cty.Value{"id": cty.StringVal("b-2")}
	w.tf.mu.Unlock()
	if _, err := w.apply(); err != nil {
		t.Fatal(err)
	}
	if got := w.tf.appliedList(); !slices.Equal(got[2:], []string{"base", "app"}) {
		t.Errorf("after drift in the state: applied %v", got)
	}
	if n := len(w.checkpoint().Stages["stack.app"].Notes); n != 1 {
		t.Errorf("notes pile up across runs: %v", w.checkpoint().Stages["stack.app"].Notes)
	}
}

func TestAFailureBlocksDependentsAndIsRecorded(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.tf.fail["base"] = errBoom
	sum, err := w.apply()
	var se *stages.StageError
	if !errors.As(err, &se) || se.Stage != "stack.base" || !errors.Is(err, errBoom) {
		t.Fatalf("want stack.base's error, got %v", err)
	}
	c := w.checkpoint()
	if c.Stages["stack.base"].Status != stages.Failed || c.Stages["stack.base"].Error != "boom" || c.Stages["stack.app"].Status != stages.Blocked {
		t.Errorf("checkpoint: base %+v app %+v", c.Stages["stack.base"], c.Stages["stack.app"])
	}
	for _, row := range sum.Stages {
		if row.Name == "stack.app" && row.Error != "stack.base failed" {
			t.Errorf("blocked row: %+v", row)
		}
	}
	if fin := w.sink.of(events.RunFinished); len(fin) != 1 || fin[0].Outcome != "failed" || fin[0].Error == "" {
		t.Errorf("run_finished: %+v", fin)
	}
	// Fixed, the next run retries base (attempt 2) and goes on.
	delete(w.tf.fail, "base")
	if _, err := w.apply(); !errors.Is(err, stages.ErrWaiting) {
		t.Fatal(err)
	}
	if r := w.checkpoint().Stages["stack.base"]; r.Status != stages.Done || r.Attempts != 2 {
		t.Errorf("retried base: %+v", r)
	}
}

func TestACheckpointOfAnotherTargetIsRefused(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	other := checkpoint.New("p", "210987654321", "eu-west-2")
	other.Stage("state").Status = stages.Done
	if err := w.store.Save(context.Background(), other); err != nil {
		t.Fatal(err)
	}
	_, err := w.apply()
	if err == nil || !strings.Contains(err.Error(), "account 210987654321") || len(w.cloud.calls) != 0 {
		t.Errorf("want a refusal before any call, got %v (calls %v)", err, w.cloud.calls)
	}
}

// A checkpoint of another project (the same account and region) is
// refused like one of another account, not taken over and overwritten.
func TestACheckpointOfAnotherProjectIsRefused(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	other := checkpoint.New("billing", "123456789012", "eu-west-2")
	other.Stage("state").Status = stages.Done
	if err := w.store.Save(context.Background(), other); err != nil {
		t.Fatal(err)
	}
	_, err := w.apply()
	if err == nil || !strings.Contains(err.Error(), `project "billing"`) || len(w.cloud.calls) != 0 {
		t.Errorf("want a refusal before any call, got %v (calls %v)", err, w.cloud.calls)
	}
	if c, _ := w.store.Load(context.Background()); c == nil || c.Project != "billing" {
		t.Errorf("the other project's checkpoint was overwritten: %+v", c)
	}
}

func TestACompleteRebuildStartsANewClock(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	_, _ = w.apply()
	w.confirm()
	if _, err := w.apply(); err != nil {
		t.Fatal(err)
	}
	first := w.checkpoint().StartedAt
	if _, err := w.apply(); err != nil {
		t.Fatal(err)
	}
	if !w.checkpoint().StartedAt.After(first) {
		t.Error("an apply after a complete rebuild kept the old clock")
	}
}
