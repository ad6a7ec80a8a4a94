package timeline

import (
	"testing"
	"time"

	"github.com/tfrebuild/tfrebuild/checkpoint"
)

func TestDurationsTakeTheLastAppliedAttempt(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)
	at := func(s int) *time.Time { x := t0.Add(time.Duration(s) * time.Second); return &x }
	c := &checkpoint.Checkpoint{Stages: map[string]*checkpoint.StageRecord{
		"stack.blue": {History: []checkpoint.Attempt{
			{StartedAt: t0, FinishedAt: at(40), Outcome: checkpoint.Applied},
			{StartedAt: *at(50), FinishedAt: at(51), Outcome: checkpoint.UpToDate},
		}},
		"stack.green": {History: []checkpoint.Attempt{
			{StartedAt: t0, FinishedAt: at(5), Outcome: checkpoint.Applied},
			{StartedAt: *at(10), FinishedAt: at(30), Outcome: checkpoint.Applied},
		}},
		"stack.link": {History: []checkpoint.Attempt{{StartedAt: t0}}},
	}}
	got := Durations(c)
	if got["stack.blue"] != 40*time.Second || got["stack.green"] != 20*time.Second {
		t.Errorf("Durations = %v", got)
	}
	if _, ok := got["stack.link"]; ok {
		t.Errorf("an attempt that never finished has no duration: %v", got)
	}
}
