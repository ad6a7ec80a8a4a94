package outcome

import (
	"slices"
	"time"

	"github.com/tfrebuild/tfrebuild/restore"
	"github.com/tfrebuild/tfrebuild/stages"
	"github.com/tfrebuild/tfrebuild/terraform"
)

// PlanSchemaVersion is the version of the plan --json document.
const PlanSchemaVersion = 1

// PlanReport is what `tfrebuild plan` found: per stage, what apply would
// do. It holds resource addresses and counts, never a value.
type PlanReport struct {
	Schema         int          `json:"schema"`
	Project        string       `json:"project"`
	Account        string       `json:"account"`
	Region         string       `json:"region"`
	Engine         string       `json:"engine,omitempty"` // that planned the stacks: "opentofu 1.12.6"
	GeneratedAt    time.Time    `json:"generated_at"`
	ChangesPending bool         `json:"changes_pending"`
	Mocked         bool         `json:"mocked"`
	Totals         Counts       `json:"totals"`
	Stages         []*PlanStage `json:"stages"`
}

// Counts are actions by kind: create, update, delete, replace, read, drift.
type Counts map[string]int

// PlanStage is one stage of the plan.
type PlanStage struct {
	Name   string        `json:"name"`
	Status stages.Status `json:"status"`
	// State is, for a stack, "existing" (planned against its real state) or
	// "empty" (no state yet: planned as a fresh create).
	State        string       `json:"state,omitempty"`
	Actions      []PlanAction `json:"actions"`
	Counts       Counts       `json:"counts"`
	Mocked       bool         `json:"mocked"`
	MockedInputs []string     `json:"mocked_inputs,omitempty"`
	Error        string       `json:"error,omitempty"`
	Notes        []string     `json:"notes,omitempty"`
	// Restore is, for a restore stage, what the restore would do.
	Restore *RestorePlan `json:"restore,omitempty"`
}

// PlanAction is one thing apply would do.
type PlanAction struct {
	Address string `json:"address"`
	Action  string `json:"action"`
	Detail  string `json:"detail,omitempty"`
	// Attrs are the attributes a stack's resource change touches, for the
	// text and Markdown reports; sensitive values are masked. They hold
	// values, so the JSON document, which never does, leaves them out.
	Attrs []terraform.AttrChange `json:"-"`
}

// Failed lists the stages that failed, were blocked or interrupted.
func (p *PlanReport) Failed() []string {
	var out []string
	for _, s := range p.Stages {
		if Unfinished(s.Status) {
			out = append(out, s.Name)
		}
	}
	slices.Sort(out)
	return out
}

// Unfinished is a status whose error the reports show.
func Unfinished(s stages.Status) bool {
	return s == stages.Failed || s == stages.Blocked || s == stages.Interrupted
}

// RestorePlan is what plan found for one restore: the library's plan
// (source, recovery point, target, action) and the data age it would
// have if it ran now, against the RPO.
type RestorePlan struct {
	restore.Plan
	Expected restore.RPO `json:"expected_rpo"`
}
