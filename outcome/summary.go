package outcome

import (
	"slices"
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
	// Changes is what a stack's apply in this run changed, resource by
	// resource; Repaired marks drift repaired.
	Changes []checkpoint.ResourceChange `json:"changes,omitempty"`
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

// OverRPO describes the restores of the run whose data is older than the
// RPO, or of unknown age: a failure in a drill.
func (s *Summary) OverRPO() []string {
	var out []string
	for _, st := range s.Stages {
		if st.Restore != nil && !st.Restore.RPO.RPOMet {
			out = append(out, st.Name+": "+DescribeRPO(st.Restore.RPO))
		}
	}
	slices.Sort(out)
	return out
}

// Mismatched describes the restores of the run whose verification found
// a difference from the source, or could not be made: a failure in a
// drill.
func (s *Summary) Mismatched() []string {
	var out []string
	for _, st := range s.Stages {
		if st.Restore != nil && st.Restore.Result.Verified != nil && !st.Restore.Result.Verified.OK {
			out = append(out, st.Name+": "+st.Restore.Result.Verified.String())
		}
	}
	slices.Sort(out)
	return out
}
