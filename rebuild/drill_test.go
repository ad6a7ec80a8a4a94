package rebuild

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tfrebuild/tfrebuild/stages"
)

func TestDrillConfirmations(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	if _, err := DrillConfirmations(w.cfg, []string{"nope"}); err == nil || !strings.Contains(err.Error(), "handoff") {
		t.Errorf("unknown step: %v", err)
	}
	got, err := DrillConfirmations(w.cfg, nil)
	if err != nil || len(got) != 0 {
		t.Errorf("no step to confirm: %v %v", got, err)
	}
	w.cfg.Steps[0].AutoConfirmInDrill = true
	if got, _ := DrillConfirmations(w.cfg, []string{"handoff"}); len(got) != 1 || got[0] != "handoff" {
		t.Errorf("auto_confirm_in_drill: %v", got)
	}
}

// A pre-confirmed step does not wait, and a confirmation does not outlive
// its rebuild: after destroy, the next apply waits at the step again.
func TestConfirmationsBelongToOneRebuild(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := w.common()
	if _, err := Apply(context.Background(), w.cfg, ApplyOptions{Common: c, PreConfirmed: []string{"handoff"}}); err != nil {
		t.Fatalf("a pre-confirmed step should not wait: %v", err)
	}
	if r := w.checkpoint().Stages["step.handoff"]; r.Status != stages.Done || !strings.Contains(r.ConfirmedBy, "drill") {
		t.Errorf("step: %+v", r)
	}
	if _, err := Destroy(context.Background(), w.cfg, DestroyOptions{Common: c}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.apply(); !errors.Is(err, stages.ErrWaiting) {
		t.Errorf("after destroy the step should wait again: %v", err)
	}
	// Destroy --all too: the confirmation given now belongs to this rebuild.
	w.confirm()
	if _, err := Destroy(context.Background(), w.cfg, DestroyOptions{Common: c, All: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.apply(); !errors.Is(err, stages.ErrWaiting) {
		t.Errorf("after destroy --all the step should wait again: %v", err)
	}
}

func TestExistingFindsABuiltTarget(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, st := range w.cfg.Stacks {
		w.cloud.noState[w.stateKey(st.Name)] = true
	}
	got, err := Existing(context.Background(), w.cfg, w.common())
	if err != nil || len(got) != 0 {
		t.Fatalf("an empty target: %v %v", got, err)
	}
	if _, err := w.apply(); !errors.Is(err, stages.ErrWaiting) {
		t.Fatal(err)
	}
	delete(w.cloud.noState, w.stateKey("app"))
	w.cloud.drift = true // the fake's way of saying the bucket exists
	got, err = Existing(context.Background(), w.cfg, w.common())
	if err != nil || len(got) != 3 {
		t.Fatalf("a built target: %q %v", got, err)
	}
	if !strings.Contains(strings.Join(got, ";"), "stack app") {
		t.Errorf("%q", got)
	}
}

func (w *world) stateKey(stack string) string {
	return (&core{cfg: w.cfg}).backend(w.cfg.Stack(stack)).Key
}
