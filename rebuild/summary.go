package rebuild

import (
	"time"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/stages"
)

// Summary is the outcome of a run, stage by stage, measured against the
// recovery time objective.
type Summary struct {
	Project string         `json:"project"`
	Engine  string         `json:"engine,omitempty"` // that ran the stacks: "opentofu 1.12.6"
	Stages  []StageSummary `json:"stages"`
	Total   time.Duration  `json:"-"`
	RTO     time.Duration  `json:"-"`
}

// StageSummary is one row of the summary.
type StageSummary struct {
	Name     string        `json:"name"`
	Status   stages.Status `json:"status"`
	Duration time.Duration `json:"-"`
	Error    string        `json:"error,omitempty"`
	Notes    []string      `json:"notes,omitempty"`
	// Restore is what a restore stage brought back, with its RPO.
	Restore *checkpoint.Restore `json:"restore,omitempty"`
}

func (c *core) summary(res *stages.Result, start time.Time) *Summary {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := &Summary{Project: c.cfg.Project, Total: time.Since(start), RTO: c.cfg.RTO}
	for _, st := range c.pipeline.Stages {
		rec := c.ckpt.Stage(st.Name)
		row := StageSummary{Name: st.Name, Status: res.Status[st.Name], Notes: rec.Notes, Restore: restoreRecord(rec)}
		if row.Status != stages.Pending {
			row.Duration = rec.Elapsed()
		}
		if unfinished(row.Status) {
			row.Error = rec.Error
		}
		s.Stages = append(s.Stages, row)
	}
	s.Engine = c.engine
	return s
}
