package rebuild

import (
	"context"
	"errors"
	"testing"

	"github.com/tfrebuild/tfrebuild/history"
	"github.com/tfrebuild/tfrebuild/stages"
)

// A rebuild leaves a history record when it completes, not while a
// step waits; a drill's apply leaves one either way.
func TestACompletedRebuildLeavesAHistoryRecord(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	sum, err := w.apply()
	if !errors.Is(err, stages.ErrWaiting) || sum.History != nil {
		t.Fatalf("a rebuild waiting at its step: err %v, record %+v", err, sum.History)
	}
	w.confirm()
	sum, err = w.apply()
	if err != nil {
		t.Fatal(err)
	}
	r := sum.History
	if r == nil || r.Kind != history.Rebuild || !r.Passed || r.Clock == nil || r.Clock.Runs != 2 || r.Engine == "" {
		t.Fatalf("record %+v", r)
	}
	if st := r.Stage("stack.app"); st == nil || st.Status != stages.Done || st.Attempts != 2 {
		t.Errorf("stack.app in the record: %+v", st)
	}

	d := newWorld(t)
	sum, err = Apply(context.Background(), d.cfg, ApplyOptions{Common: Common{Parallelism: 4, Deps: d.deps(), Mode: "drill"}})
	if !errors.Is(err, stages.ErrWaiting) || sum.History == nil || sum.History.Kind != history.Drill || sum.History.Passed {
		t.Fatalf("a drill stopped at a step: err %v, record %+v", err, sum.History)
	}
}
