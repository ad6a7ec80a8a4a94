package checkpoint

import (
	"time"

	"github.com/tfrebuild/tfrebuild/stages"
)

// SchemaVersion is the checkpoint format this build writes. A newer one is
// refused rather than overwritten. Version 1 files read as they are:
// findings, runs and attempt histories were added as new fields, so an old
// file simply has none (and keeps its attempt count).
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
	// Only and WithDeps are the scope of a targeted re-run (apply --only):
	// with With, what a resume must ask for to continue this rebuild.
	Only     []string `json:"only,omitempty"`
	WithDeps bool     `json:"with_deps,omitempty"`
	// Run is the process that last drove this target; a later run uses it
	// to recognise Terraform state locks that process left behind.
	Run *Holder `json:"run,omitempty"`
	// StartedAt is when this rebuild began: the start of the RTO clock,
	// which runs across its runs until every stage is done.
	StartedAt time.Time `json:"started_at"`
	// IncidentAt is when this rebuild's data was lost (--incident-at);
	// nil for the default, StartedAt. A restore's data loss is measured
	// against it.
	IncidentAt *time.Time              `json:"incident_at,omitempty"`
	UpdatedAt  time.Time               `json:"updated_at"`
	Stages     map[string]*StageRecord `json:"stages"`
	// Runs are the runs (apply invocations) of this rebuild, oldest
	// first: the RTO clock tells working from idle time with them.
	Runs []Run `json:"runs,omitempty"`
	// Created is what tfrebuild created for this target (state bucket,
	// lock table, registries), each also tagged with the target; a
	// teardown deletes only what is this target's own.
	Created []Created `json:"created,omitempty"`
	// Teardown is what the last destroy did to each stage: destroyed,
	// failed (with the error), blocked behind a failure, or kept. Status
	// shows it until the stage runs again.
	Teardown map[string]*TeardownRecord `json:"teardown,omitempty"`
}

// TeardownRecord is what one destroy did to one stage.
type TeardownRecord struct {
	Status stages.Status `json:"status"`
	At     time.Time     `json:"at"`
	RunID  string        `json:"run_id,omitempty"`
	Error  string        `json:"error,omitempty"`
}

// Intended reports whether an intent to create the resource is on
// record and its creation was not seen finished.
func (c *Checkpoint) Intended(resource, account string) bool {
	for _, have := range c.Created {
		if have.Resource == resource && have.Account == account && have.Intent {
			return true
		}
	}
	return false
}

// ResourceChange is what an apply did to one resource of a stack.
type ResourceChange struct {
	Address string `json:"address"`
	Action  string `json:"action"` // create, update, delete, replace
	// Repaired: the stack's code and inputs were as last applied, so the
	// resource had drifted (deleted or changed outside Terraform).
	Repaired bool `json:"repaired,omitempty"`
}

// Created is one resource tfrebuild created for this target.
type Created struct {
	// Resource is "s3://bucket", "dynamodb:table" or "ecr:repository".
	Resource string    `json:"resource"`
	Account  string    `json:"account"`
	Region   string    `json:"region"`
	Stage    string    `json:"stage"`
	At       time.Time `json:"at"`
	// Intent: recorded just before the create call; the run may have died
	// before the resource was tagged and hardened, and the next run
	// finishes that (it is this target's own though its tags are missing).
	Intent bool `json:"intent,omitempty"`
}

// AddCreated records a resource as created for this target, once.
func (c *Checkpoint) AddCreated(r Created) {
	for i, have := range c.Created {
		if have.Resource == r.Resource && have.Account == r.Account && have.Region == r.Region {
			c.Created[i].Intent = have.Intent && r.Intent // done once created
			return
		}
	}
	c.Created = append(c.Created, r)
}

// ForgetCreated drops the record of a resource that was deleted.
func (c *Checkpoint) ForgetCreated(resource, account, region string) {
	kept := c.Created[:0]
	for _, have := range c.Created {
		if have.Resource != resource || have.Account != account || have.Region != region {
			kept = append(kept, have)
		}
	}
	c.Created = kept
	if len(kept) == 0 {
		c.Created = nil
	}
}

// Run is one apply of a rebuild.
type Run struct {
	RunID     string    `json:"run_id"`
	StartedAt time.Time `json:"started_at"`
	// LastSeen is the last time the run recorded anything: where the
	// clock puts the end of a run that died without finishing.
	LastSeen   time.Time  `json:"last_seen"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	// Outcome is how the run ended (done, failed, waiting, interrupted);
	// empty while it runs or when it died.
	Outcome string `json:"outcome,omitempty"`
}

// End is when the run stopped: when it finished, else the last time it
// was seen.
func (r Run) End() time.Time {
	if r.FinishedAt != nil {
		return *r.FinishedAt
	}
	return r.LastSeen
}

// AttemptOutcome is how one attempt at a stage ended.
type AttemptOutcome string

// The attempt outcomes. An attempt that is still under way has none.
const (
	// Applied: the attempt did the stage's work and succeeded.
	Applied AttemptOutcome = "applied"
	// UpToDate: the stage was already done and nothing it depends on had
	// changed, so the attempt left it as it was.
	UpToDate AttemptOutcome = "skipped"
	Failed   AttemptOutcome = "failed"
	// Interrupted: Ctrl-C, SIGTERM, or the run died under it.
	Interrupted AttemptOutcome = "interrupted"
	// Waited: a manual step stopped there for a person.
	Waited AttemptOutcome = "waiting"
)

// Attempt is one run's try at a stage.
type Attempt struct {
	RunID      string         `json:"run_id,omitempty"`
	StartedAt  time.Time      `json:"started_at"`
	FinishedAt *time.Time     `json:"finished_at,omitempty"`
	Outcome    AttemptOutcome `json:"outcome,omitempty"`
	Error      string         `json:"error,omitempty"`
}

// StageRecord is one stage's outcome. StartedAt and FinishedAt are those
// of the attempt that did the work: an attempt that found the stage up to
// date leaves them, and is only in History.
type StageRecord struct {
	Status     stages.Status `json:"status"`
	StartedAt  *time.Time    `json:"started_at,omitempty"`
	FinishedAt *time.Time    `json:"finished_at,omitempty"`
	// Attempts counts the attempts of this rebuild (a file written before
	// History existed keeps its count with an empty History).
	Attempts int `json:"attempts"`
	// History is every attempt of this rebuild, oldest first. (The field
	// is not "attempts": that name already holds the count.)
	History      []Attempt         `json:"attempt_history,omitempty"`
	Fingerprint  string            `json:"fingerprint,omitempty"`
	OutputHashes map[string]string `json:"output_hashes,omitempty"`
	Error        string            `json:"error,omitempty"`
	// Notes are what the stage's last attempt said: they belong to an
	// attempt and are replaced by the next one, never piled up.
	Notes []string `json:"notes,omitempty"`
	// Findings are what the stage found that someone may have to act on,
	// such as drift; structured so that status need not parse notes.
	Findings []Finding `json:"findings,omitempty"`
	// Changes is what the stack's last apply did, resource by resource
	// (a new rebuild's repair report): empty when it changed nothing.
	Changes []ResourceChange `json:"changes,omitempty"`
	// Creating lists the resources (by address) whose create an apply of
	// this stack started (and the provider did not refuse): until the
	// stack is done, objects by these names may exist outside the state
	// after a crash, and they are this target's own (adopted on resume).
	Creating []string `json:"creating,omitempty"`
	// ConfirmedBy and ConfirmedAt record who confirmed a manual step.
	ConfirmedBy string     `json:"confirmed_by,omitempty"`
	ConfirmedAt *time.Time `json:"confirmed_at,omitempty"`
	// Restore is what a restore stage brought back, with its RPO.
	Restore *Restore `json:"restore,omitempty"`
	// StateVersion is the version of a stack's state object its outputs
	// were read from when it finished (S3 VersionId, or ETag): unchanged on
	// a resume, the stack is skipped without running Terraform.
	StateVersion string `json:"state_version,omitempty"`
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

// NewRebuild starts the RTO clock of a new rebuild at now: the runs and
// attempt histories of the last one are forgotten, while the stages'
// records (what is built, fingerprints) stay so that up-to-date stages
// can be skipped. The stages kept (outside an --only selection) keep
// their records whole, attempts included.
func (c *Checkpoint) NewRebuild(now time.Time, kept map[string]bool) {
	c.StartedAt, c.Runs, c.IncidentAt = now, nil, nil
	for name, r := range c.Stages {
		if !kept[name] {
			r.Attempts, r.History = 0, nil
		}
	}
}

// EndRebuild stops the clock without starting another: the next apply
// begins a new rebuild (after destroy, nothing of this one is left).
func (c *Checkpoint) EndRebuild() {
	c.NewRebuild(time.Time{}, nil)
}

// LastAttempt is the stage's latest attempt, nil when it has none.
func (r *StageRecord) LastAttempt() *Attempt {
	if r == nil || len(r.History) == 0 {
		return nil
	}
	return &r.History[len(r.History)-1]
}
