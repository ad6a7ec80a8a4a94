package rebuild

import (
	"slices"
	"time"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/outcome"
	"github.com/tfrebuild/tfrebuild/stages"
)

func (c *core) summary(res *stages.Result, start time.Time) *outcome.Summary {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := &outcome.Summary{Project: c.cfg.Project, RunID: c.runID, Total: c.now().Sub(start), RTO: c.cfg.RTO}
	if c.final != nil {
		s.Total, s.Clock, s.CriticalPath = c.final.took, c.final.rto, c.final.path
	}
	for _, st := range c.pipeline.Stages {
		rec := c.ckpt.Stage(st.Name)
		row := outcome.StageSummary{Name: st.Name, Status: res.Status[st.Name], Notes: c.redactAll(rec.Notes), Restore: rec.RestoreCopy()}
		a := rec.LastAttempt()
		if a != nil && a.RunID == c.runID {
			row.Attempt = rec.Attempts
			if a.Outcome == checkpoint.Applied {
				row.Changes = slices.Clone(rec.Changes)
			}
		}
		switch {
		case row.Status == stages.Done && a != nil && a.RunID == c.runID && a.Outcome == checkpoint.UpToDate:
			row.Status, row.UpToDate = stages.Skipped, true
		case row.Status == stages.Done || row.Status == stages.Failed || row.Status == stages.Interrupted || row.Status == stages.Waiting:
			row.Duration = rec.Elapsed()
		}
		if outcome.Unfinished(row.Status) {
			row.Error = c.bus.Redact(rec.Error)
		}
		s.Stages = append(s.Stages, row)
	}
	s.Engine = c.engine
	return s
}

func (c *core) redactAll(list []string) []string {
	var out []string
	for _, n := range list {
		out = append(out, c.bus.Redact(n))
	}
	return out
}
