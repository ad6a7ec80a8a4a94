package rebuild

import (
	"time"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/history"
	"github.com/tfrebuild/tfrebuild/stages"
)

// Summary is the outcome of a run, stage by stage, measured against the
// recovery time objective.
type Summary struct {
	Project string         `json:"project"`
	RunID   string         `json:"run_id,omitempty"`
	Engine  string         `json:"engine,omitempty"` // that ran the stacks: "opentofu 1.12.6"
	Stages  []StageSummary `json:"stages"`
	// Total is how long this run took; Clock is the rebuild's RTO clock
	// across all its runs, as run_finished reported it.
	Total time.Duration `json:"-"`
	RTO   time.Duration `json:"-"`
	Clock *events.RTO   `json:"rto,omitempty"`
	// CriticalPath is the chain of stages that determined the rebuild's
	// elapsed time.
	CriticalPath *events.CriticalPath `json:"critical_path,omitempty"`
	// Notes are things about the run itself worth a line, such as
	// notifications that could not be delivered (added by the command).
	Notes []string `json:"notes,omitempty"`
	// Teardown is what a destroy deleted and kept, account by account.
	Teardown []TeardownItem `json:"-"`
	// History is the record this run leaves in the target's history: set
	// by an apply that completed a rebuild, and by every drill's apply
	// (the command appends it, a drill with its own verdict).
	History *history.Record `json:"-"`
}

// StageSummary is one row of the summary.
type StageSummary struct {
	Name   string        `json:"name"`
	Status stages.Status `json:"status"`
	// UpToDate marks a stage this run skipped because it was done and
	// nothing it depends on had changed (Status is skipped).
	UpToDate bool          `json:"up_to_date,omitempty"`
	Attempt  int           `json:"attempt,omitempty"`
	Duration time.Duration `json:"-"`
	Error    string        `json:"error,omitempty"`
	Notes    []string      `json:"notes,omitempty"`
	// Restore is what a restore stage brought back, with its RPO.
	Restore *checkpoint.Restore `json:"restore,omitempty"`
}

// Elapsed is the rebuild's elapsed time on the RTO clock, or this run's
// when there is no clock (plan, destroy).
func (s *Summary) Elapsed() time.Duration {
	if s.Clock != nil && !s.Clock.RebuildStarted.IsZero() {
		return seconds(s.Clock.ElapsedSeconds)
	}
	return s.Total
}

func seconds(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

func (c *core) summary(res *stages.Result, start time.Time) *Summary {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := &Summary{Project: c.cfg.Project, RunID: c.runID, Total: c.now().Sub(start), RTO: c.cfg.RTO}
	if c.final != nil {
		s.Total, s.Clock, s.CriticalPath = c.final.took, c.final.rto, c.final.path
	}
	for _, st := range c.pipeline.Stages {
		rec := c.ckpt.Stage(st.Name)
		row := StageSummary{Name: st.Name, Status: res.Status[st.Name], Notes: c.redactAll(rec.Notes), Restore: rec.RestoreCopy()}
		a := rec.LastAttempt()
		if a != nil && a.RunID == c.runID {
			row.Attempt = rec.Attempts
		}
		switch {
		case row.Status == stages.Done && a != nil && a.RunID == c.runID && a.Outcome == checkpoint.UpToDate:
			row.Status, row.UpToDate = stages.Skipped, true
		case row.Status == stages.Done || row.Status == stages.Failed || row.Status == stages.Interrupted || row.Status == stages.Waiting:
			row.Duration = rec.Elapsed()
		}
		if unfinished(row.Status) {
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
