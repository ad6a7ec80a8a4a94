package checkpoint

import "time"

// RunIndex is the index of the run with the ID in Runs; -1 when none.
func (c *Checkpoint) RunIndex(runID string) int {
	for i := range c.Runs {
		if c.Runs[i].RunID == runID {
			return i
		}
	}
	return -1
}

// BeginRun records the start of the run runID at now. Attempts left open
// by a run that died end where that run was last seen, interrupted.
func (c *Checkpoint) BeginRun(runID string, now time.Time) {
	for _, rec := range c.Stages {
		a := rec.LastAttempt()
		if a == nil || a.FinishedAt != nil {
			continue
		}
		end := a.StartedAt
		if i := c.RunIndex(a.RunID); i >= 0 && c.Runs[i].End().After(end) {
			end = c.Runs[i].End()
		}
		a.FinishedAt, a.Outcome = &end, Interrupted
		a.Error = "the run driving this stage stopped before it finished"
	}
	c.Runs = append(c.Runs, Run{RunID: runID, StartedAt: now, LastSeen: now})
}

// Seen moves the run's last sign of life to t.
func (c *Checkpoint) Seen(runID string, t time.Time) {
	if i := c.RunIndex(runID); i >= 0 && t.After(c.Runs[i].LastSeen) {
		c.Runs[i].LastSeen = t
	}
}

// EndRun records how the run ended, at now.
func (c *Checkpoint) EndRun(runID string, now time.Time, outcome string) {
	if i := c.RunIndex(runID); i >= 0 {
		t := now.UTC()
		c.Runs[i].FinishedAt, c.Runs[i].Outcome, c.Runs[i].LastSeen = &t, outcome, t
	}
}
