package events

import (
	"sync"
	"time"
)

// SchemaVersion is the version of the event JSON this build writes.
const SchemaVersion = 1

// Type names an event. The names are part of the --events contract.
type Type string

const (
	RunStarted       Type = "run_started"
	StageStarted     Type = "stage_started"
	StageNote        Type = "stage_note"
	StageFinished    Type = "stage_finished"
	ResourceProgress Type = "resource_progress"
	Waiting          Type = "waiting"
	RunFinished      Type = "run_finished"
	// DrillVerdict is a drill's outcome: the rebuild's time against the
	// RTO and each restore's data age against the RPO.
	DrillVerdict Type = "drill_verdict"
	// ReadinessFailed is a `tfrebuild readiness` run with a failing
	// check: Message names the failing checks.
	ReadinessFailed Type = "readiness_failed"
)

// Outcome is how a stage or a run ended (stage_finished, run_finished).
// For stages it is one of the checkpoint statuses that end a stage: done,
// failed, skipped, blocked, waiting, interrupted. A run ends done, failed,
// waiting (on a manual step) or interrupted.
type Outcome string

// The outcomes, spelled as the checkpoint spells stage statuses.
const (
	OutcomeDone        Outcome = "done"
	OutcomeFailed      Outcome = "failed"
	OutcomeSkipped     Outcome = "skipped"
	OutcomeBlocked     Outcome = "blocked"
	OutcomeWaiting     Outcome = "waiting"
	OutcomeInterrupted Outcome = "interrupted"
)

// Event is one thing that happened in a run. Only the fields that belong
// to the event's Type are set. An event never carries a secret: Message
// and Error are built from tfrebuild's own text, never from Terraform
// outputs or input values.
type Event struct {
	Schema  int       `json:"schema"`
	Type    Type      `json:"type"`
	Time    time.Time `json:"time"`
	RunID   string    `json:"run_id,omitempty"`
	Project string    `json:"project,omitempty"`
	// Mode is the command driving the run: apply, plan, destroy, drill.
	Mode  string `json:"mode,omitempty"`
	Stage string `json:"stage,omitempty"`

	Outcome  Outcome       `json:"outcome,omitempty"`
	Duration time.Duration `json:"-"`
	// DurationSeconds is Duration in the JSON form.
	DurationSeconds float64 `json:"duration_seconds,omitempty"`
	Message         string  `json:"message,omitempty"`
	Error           string  `json:"error,omitempty"`

	// Resource is set on resource_progress events.
	Resource *Resource `json:"resource,omitempty"`
	// Confirm is the command that releases a waiting step (waiting).
	Confirm string `json:"confirm,omitempty"`
	// RTO is set on run_started and run_finished, and may be set on any
	// other event to say where the clock stands.
	RTO *RTO `json:"rto,omitempty"`

	// Attempt is the stage's attempt number in this rebuild, counting from
	// 1 (stage_started, stage_finished).
	Attempt int `json:"attempt,omitempty"`
	// CriticalPath is set on run_finished when the run applied stages.
	CriticalPath *CriticalPath `json:"critical_path,omitempty"`
	// Rebuild is the rebuild a teardown's events belong to (destroy, a
	// drill's teardown): set on every event of such a run, which has no
	// clock (rto) of its own.
	Rebuild *RebuildRef `json:"rebuild,omitempty"`
	// Verdict is set on drill_verdict.
	Verdict *Verdict `json:"verdict,omitempty"`
	// Changes is, on a stack's stage_finished, what its apply created,
	// changed, replaced or deleted, resource by resource (addresses and
	// actions, never a value).
	Changes []Change `json:"changes,omitempty"`
}

// Change is one resource an apply changed. Repaired marks drift repaired:
// the stack's code and inputs were as last applied, so the resource had
// been deleted or changed outside Terraform.
type Change struct {
	Address  string `json:"address"`
	Action   string `json:"action"`
	Repaired bool   `json:"repaired,omitempty"`
}

// RebuildRef names a rebuild: when its first run started, and the run
// that last drove it.
type RebuildRef struct {
	StartedAt time.Time `json:"started_at"`
	RunID     string    `json:"run_id,omitempty"`
}

// Verdict is a drill's outcome.
type Verdict struct {
	Passed bool `json:"passed"`
	// Reason says why a drill failed.
	Reason      string  `json:"reason,omitempty"`
	TookSeconds float64 `json:"took_seconds"`
	// RTOSeconds is the objective, 0 when none is set; RTOMet compares.
	RTOSeconds float64 `json:"rto_seconds,omitempty"`
	RTOMet     bool    `json:"rto_met"`
	// RPOSeconds is the objective, 0 when none is set; Restores are each
	// restore's recovery point against it.
	RPOSeconds float64      `json:"rpo_seconds,omitempty"`
	Restores   []RestoreRPO `json:"restores,omitempty"`
}

// RestoreRPO is one restore's recovery point in a drill verdict.
type RestoreRPO struct {
	Stage         string     `json:"stage"`
	RecoveryPoint *time.Time `json:"recovery_point"`
	// DataAgeSeconds is absent when the recovery point is unknown.
	DataAgeSeconds *int64 `json:"data_age_seconds,omitempty"`
	RPOMet         bool   `json:"rpo_met"`
}

// CriticalPath is the chain of stages that determined the rebuild's
// elapsed time, and how much the others could have taken longer without
// delaying it: where to invest to shorten the RTO.
type CriticalPath struct {
	// Seconds is the length of the chain: the sum of its stages.
	Seconds float64 `json:"seconds"`
	// Stages is the chain, first stage first.
	Stages []PathStage `json:"stages"`
	// Slack lists the stages off the chain.
	Slack []StageSlack `json:"slack,omitempty"`
}

// PathStage is one stage of the critical path.
type PathStage struct {
	Stage   string  `json:"stage"`
	Seconds float64 `json:"seconds"`
	// Share is Seconds as a fraction of the path, 0 to 1.
	Share float64 `json:"share"`
}

// StageSlack is a stage off the critical path and how much longer it
// could have run without making the rebuild longer.
type StageSlack struct {
	Stage        string  `json:"stage"`
	Seconds      float64 `json:"seconds"`
	SlackSeconds float64 `json:"slack_seconds"`
}

// Resource is Terraform's own progress on one resource, from its
// machine-readable (-json) output.
type Resource struct {
	Address string `json:"address"`
	// Action is Terraform's: create, update, delete, replace, read, ...
	Action string `json:"action,omitempty"`
	// Phase is start, complete or errored.
	Phase string `json:"phase"`
	// Done and Total count the resources of the stage's plan that have
	// completed, so that a progress line can say "applying 4/6".
	Done  int `json:"done"`
	Total int `json:"total"`
}

// RTO is the recovery time clock of the whole rebuild, across attempts.
type RTO struct {
	TargetSeconds  float64   `json:"target_seconds"`
	ElapsedSeconds float64   `json:"elapsed_seconds"`
	RebuildStarted time.Time `json:"rebuild_started"`
	// The breakdown of ElapsedSeconds.
	WorkingSeconds float64 `json:"working_seconds"`
	WaitingSeconds float64 `json:"waiting_seconds"`
	FailedSeconds  float64 `json:"failed_seconds"`
	IdleSeconds    float64 `json:"idle_seconds"`
	Met            bool    `json:"met"`
	// Runs counts the runs (apply attempts) of this rebuild so far,
	// this one included.
	Runs int `json:"runs,omitempty"`
}

// Sink receives events. Emit is called from one goroutine at a time and
// must not block the run for long: a slow subscriber queues or drops.
type Sink interface {
	Emit(Event)
}

// SinkFunc adapts a function to a Sink.
type SinkFunc func(Event)

// Emit calls f.
func (f SinkFunc) Emit(e Event) { f(e) }

// Bus fans events out to every subscriber, stamping schema, time and run.
// It is safe for concurrent use.
type Bus struct {
	mu      sync.Mutex
	sinks   []Sink
	runID   string
	project string
	mode    string
	now     func() time.Time
	redact  Redactor
	rebuild *RebuildRef
}

// SetRebuild stamps every later event with the rebuild it belongs to (a
// teardown's run).
func (b *Bus) SetRebuild(r *RebuildRef) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rebuild = r
}

// NewBus returns a bus for one run.
func NewBus(runID, project, mode string, sinks ...Sink) *Bus {
	return &Bus{sinks: sinks, runID: runID, project: project, mode: mode, now: time.Now}
}

// AddSecrets tells the bus values that must never leave the process, such
// as the sensitive outputs the engine has read. From then on every string
// field of every event is redacted before a sink sees it. The engine never
// puts a secret in an event; this is the second line of defence.
func (b *Bus) AddSecrets(values ...string) {
	if b == nil {
		return
	}
	b.redact.Add(values...)
}

// Redact returns s with every secret the bus knows replaced, for text
// that leaves the process by another way than an event: the summary, the
// GitHub step summary.
func (b *Bus) Redact(s string) string {
	if b == nil {
		return s
	}
	return b.redact.String(s)
}

// Emit stamps e, redacts known secrets from it and hands it to every sink
// in order, one event at a time.
func (b *Bus) Emit(e Event) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	e.Schema = SchemaVersion
	if e.Time.IsZero() {
		e.Time = b.now().UTC()
	}
	if e.RunID == "" {
		e.RunID = b.runID
	}
	if e.Project == "" {
		e.Project = b.project
	}
	if e.Mode == "" {
		e.Mode = b.mode
	}
	if e.Rebuild == nil && b.rebuild != nil {
		r := *b.rebuild
		e.Rebuild = &r
	}
	if e.Duration != 0 && e.DurationSeconds == 0 {
		e.DurationSeconds = e.Duration.Seconds()
	}
	e = b.redact.Event(e)
	for _, s := range b.sinks {
		s.Emit(e)
	}
}
