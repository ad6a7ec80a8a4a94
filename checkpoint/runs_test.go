package checkpoint

import (
	"testing"
	"time"
)

// A run that died left an attempt open: the next run closes it where the
// dead run was last seen, interrupted, and the clock's records of the new
// run begin and end where they are told.
func TestRunsBeginSeenEnd(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 12, 6, 3, 0, 0, 0, time.UTC)
	c := New("p", "123456789012", "eu-west-2")
	c.BeginRun("dead", t0)
	c.Stage("stack.base").History = []Attempt{{RunID: "dead", StartedAt: t0.Add(time.Second)}}
	c.Seen("dead", t0.Add(40*time.Second))
	c.Seen("dead", t0.Add(10*time.Second)) // never backwards

	c.BeginRun("next", t0.Add(time.Hour))
	a := c.Stage("stack.base").LastAttempt()
	if a.FinishedAt == nil || !a.FinishedAt.Equal(t0.Add(40*time.Second)) || a.Outcome != Interrupted || a.Error == "" {
		t.Errorf("the dead run's attempt: %+v", a)
	}
	c.EndRun("next", t0.Add(2*time.Hour), "completed")
	r := c.Runs[c.RunIndex("next")]
	if r.FinishedAt == nil || !r.End().Equal(t0.Add(2*time.Hour)) || r.Outcome != "completed" || len(c.Runs) != 2 {
		t.Errorf("runs: %+v", c.Runs)
	}
	c.EndRun("unknown", t0, "failed") // no such run: nothing happens
	if c.RunIndex("unknown") != -1 {
		t.Error("EndRun made a run up")
	}
}

// A new rebuild forgets attempts, except for the stages kept whole.
func TestNewRebuildKeepsTheStagesKept(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 12, 6, 3, 0, 0, 0, time.UTC)
	c := New("p", "123456789012", "eu-west-2")
	for _, s := range []string{"stack.a", "stack.b"} {
		r := c.Stage(s)
		r.Attempts, r.History = 2, []Attempt{{RunID: "r", StartedAt: t0}}
	}
	c.NewRebuild(t0.Add(time.Hour), map[string]bool{"stack.b": true})
	if a := c.Stage("stack.a"); a.Attempts != 0 || a.History != nil {
		t.Errorf("stack.a kept its attempts: %+v", a)
	}
	if b := c.Stage("stack.b"); b.Attempts != 2 || len(b.History) != 1 {
		t.Errorf("stack.b lost its attempts: %+v", b)
	}
	if !c.StartedAt.Equal(t0.Add(time.Hour)) || c.Runs != nil {
		t.Errorf("the new rebuild's clock: %v %v", c.StartedAt, c.Runs)
	}
}
