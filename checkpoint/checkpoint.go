package checkpoint

import (
	"time"

	"github.com/tfrebuild/tfrebuild/stages"
)

// SchemaVersion is the checkpoint format this build writes. A newer one is
// refused rather than overwritten. Version 1 files read as they are:
// findings were added as a new field, so an old file simply has none.
const SchemaVersion = 1

// Checkpoint is the recorded progress of rebuilds of one target. It never
// holds a secret: outputs are kept as hashes.
type Checkpoint struct {
	Schema  int      `json:"schema"`
	Project string   `json:"project"`
	Account string   `json:"account"`
	Region  string   `json:"region"`
	RunID   string   `json:"run_id"`
	With    []string `json:"with,omitempty"`
	// Run is the process that last drove this target; a later run uses it
	// to recognise Terraform state locks that process left behind.
	Run       *Holder                 `json:"run,omitempty"`
	StartedAt time.Time               `json:"started_at"`
	UpdatedAt time.Time               `json:"updated_at"`
	Stages    map[string]*StageRecord `json:"stages"`
}

// StageRecord is one stage's last outcome.
type StageRecord struct {
	Status       stages.Status     `json:"status"`
	StartedAt    *time.Time        `json:"started_at,omitempty"`
	FinishedAt   *time.Time        `json:"finished_at,omitempty"`
	Attempts     int               `json:"attempts"`
	Fingerprint  string            `json:"fingerprint,omitempty"`
	OutputHashes map[string]string `json:"output_hashes,omitempty"`
	Error        string            `json:"error,omitempty"`
	Notes        []string          `json:"notes,omitempty"`
	// Findings are what the stage found that someone may have to act on,
	// such as drift; structured so that status need not parse notes.
	Findings []Finding `json:"findings,omitempty"`
	// ConfirmedBy and ConfirmedAt record who confirmed a manual step.
	ConfirmedBy string     `json:"confirmed_by,omitempty"`
	ConfirmedAt *time.Time `json:"confirmed_at,omitempty"`
	// Restore is what a restore stage brought back, with its RPO.
	Restore *Restore `json:"restore,omitempty"`
}

// FindingKind classifies a finding.
type FindingKind string

// Drift is a setting of a resource tfrebuild manages that differs from
// what rebuild.hcl asks for.
const Drift FindingKind = "drift"

// Finding is one thing a stage found, with the resource it concerns.
type Finding struct {
	Kind    FindingKind `json:"kind"`
	Address string      `json:"address,omitempty"`
	Message string      `json:"message"`
}

// String is the finding as a person reads it: "drift ADDRESS: MESSAGE".
func (f Finding) String() string {
	s := string(f.Kind)
	if f.Address != "" {
		s += " " + f.Address
	}
	return s + ": " + f.Message
}

// New returns an empty checkpoint for a target.
func New(project, account, region string) *Checkpoint {
	return &Checkpoint{Project: project, Account: account, Region: region}
}

// Stage returns the record of a stage, creating it.
func (c *Checkpoint) Stage(name string) *StageRecord {
	if c.Stages == nil {
		c.Stages = map[string]*StageRecord{}
	}
	r := c.Stages[name]
	if r == nil {
		r = &StageRecord{Status: stages.Pending}
		c.Stages[name] = r
	}
	return r
}

// Lookup returns the record of a stage without creating it: nil when the
// stage has never run.
func (c *Checkpoint) Lookup(name string) *StageRecord {
	if c == nil {
		return nil
	}
	return c.Stages[name]
}

// Complete reports whether every stage of p that runs is done.
func (c *Checkpoint) Complete(p *stages.Pipeline) bool {
	for _, s := range p.Stages {
		rec := c.Lookup(s.Name)
		if !s.Skipped && (rec == nil || rec.Status != stages.Done) {
			return false
		}
	}
	return true
}

// Elapsed is how long a finished stage took; zero when it has not both
// started and finished.
func (r *StageRecord) Elapsed() time.Duration {
	if r == nil || r.StartedAt == nil || r.FinishedAt == nil {
		return 0
	}
	return r.FinishedAt.Sub(*r.StartedAt)
}
