package timeline

import (
	"strings"
	"time"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/stages"
)

// Status is what `tfrebuild status` reports. Its JSON form is a contract.
type Status struct {
	Project   string             `json:"project"`
	Account   string             `json:"account"`
	Region    string             `json:"region"`
	Engine    string             `json:"engine,omitempty"` // rebuild.hcl pins (the next apply's): "opentofu 1.12.6"
	RunID     string             `json:"run_id,omitempty"`
	StartedAt *time.Time         `json:"started_at,omitempty"`
	Running   *checkpoint.Holder `json:"running,omitempty"`
	// ElapsedSeconds is RTO.ElapsedSeconds: the rebuild's clock.
	ElapsedSeconds float64 `json:"elapsed_seconds"`
	RTOSeconds     float64 `json:"rto_seconds,omitempty"`
	// RTO is the clock broken down (working, waiting, failed, idle);
	// CriticalPath the chain of stages that determined it so far.
	RTO          *events.RTO          `json:"rto,omitempty"`
	CriticalPath *events.CriticalPath `json:"critical_path,omitempty"`
	Next         []string             `json:"next"`
	Drift        []string             `json:"drift"`
	Stages       []StageStatus        `json:"stages"`
}

// StageStatus is one stage in the status report.
type StageStatus struct {
	Name       string        `json:"name"`
	Status     stages.Status `json:"status"`
	StartedAt  *time.Time    `json:"started_at"`
	FinishedAt *time.Time    `json:"finished_at"`
	Seconds    float64       `json:"seconds,omitempty"`
	// Attempts is the stage's attempt history in this rebuild, oldest
	// first; AttemptCount counts them (a checkpoint written before the
	// history existed has a count and no history).
	Attempts     []checkpoint.Attempt `json:"attempts"`
	AttemptCount int                  `json:"attempt_count"`
	Error        string               `json:"error,omitempty"`
	Notes        []string             `json:"notes,omitempty"`
	Findings     []checkpoint.Finding `json:"findings,omitempty"`
	// Changes is what a stack's last apply re-created or changed.
	Changes     []checkpoint.ResourceChange `json:"changes,omitempty"`
	ConfirmedBy string                      `json:"confirmed_by,omitempty"`
	ConfirmedAt *time.Time                  `json:"confirmed_at,omitempty"`
	// Restore is what a restore stage brought back, with its RPO.
	Restore *checkpoint.Restore `json:"restore,omitempty"`
}

// Confirmed is the status a manual step shows once a person confirmed it
// and before the next apply goes on past it.
const Confirmed stages.Status = "confirmed"

// Read is the status of cfg's target from its checkpoint c (empty when
// there is none) over the pipeline p, read at now. live is the holder of
// the run lock, nil when no run is driving the target: a stage left
// running then shows as interrupted.
func Read(cfg *config.Config, c *checkpoint.Checkpoint, p *stages.Pipeline, live *checkpoint.Holder, now time.Time) *Status {
	st := &Status{Project: cfg.Project, Account: cfg.Target.AccountID, Region: cfg.Target.Region, RunID: c.RunID,
		RTOSeconds: cfg.RTO.Seconds(), Next: []string{}, Drift: []string{}, Running: live,
		Engine: strings.TrimSpace(cfg.Terraform.EngineName() + " " + cfg.Terraform.Version)}
	if !c.StartedAt.IsZero() {
		st.StartedAt = &c.StartedAt
	}
	liveRun := ""
	if live != nil {
		liveRun = live.RunID
	}
	st.RTO = Clock(c, p, cfg.RTO, now, liveRun)
	st.ElapsedSeconds = st.RTO.ElapsedSeconds
	st.CriticalPath = CriticalPath(c, p)
	status := map[string]stages.Status{}
	for _, s := range p.Stages {
		rec := c.Lookup(s.Name)
		row := stageStatus(s, rec, live != nil)
		status[s.Name] = row.Status
		if ts, errText, ok := teardownStatus(rec, c.Teardown[s.Name]); ok {
			row.Status, row.Error = ts, errText
		}
		for _, f := range row.Findings {
			if f.Kind == checkpoint.Drift {
				st.Drift = append(st.Drift, s.Name+": "+f.String())
			}
		}
		st.Stages = append(st.Stages, row)
	}
	st.Next = append(st.Next, next(p, status)...)
	return st
}

// stageStatus is the status row of one stage from its record.
func stageStatus(s *stages.Stage, rec *checkpoint.StageRecord, runLive bool) StageStatus {
	if rec == nil {
		rec = &checkpoint.StageRecord{Status: stages.Pending}
		if s.Skipped {
			rec.Status = stages.Skipped
		}
	}
	stat := rec.Status
	switch {
	case stat == stages.Running && !runLive:
		// Nobody holds the run lock: the run that was driving it died.
		stat = stages.Interrupted
	case stat == stages.Waiting && rec.ConfirmedAt != nil:
		// Done by a person; the next apply goes on past it.
		stat = Confirmed
	}
	history := rec.History
	if history == nil {
		history = []checkpoint.Attempt{}
	}
	return StageStatus{Name: s.Name, Status: stat, StartedAt: rec.StartedAt, FinishedAt: rec.FinishedAt,
		Seconds: rec.Elapsed().Seconds(), Attempts: history, AttemptCount: max(rec.Attempts, len(rec.History)),
		Error: rec.Error, Notes: rec.Notes, Findings: findings(rec), Changes: rec.Changes, ConfirmedBy: rec.ConfirmedBy, ConfirmedAt: rec.ConfirmedAt, Restore: rec.RestoreCopy()}
}

// findings are a record's findings; a checkpoint written before findings
// existed kept drift as notes that start with "drift ".
func findings(rec *checkpoint.StageRecord) []checkpoint.Finding {
	if len(rec.Findings) > 0 {
		return rec.Findings
	}
	var out []checkpoint.Finding
	for _, n := range rec.Notes {
		if rest, ok := strings.CutPrefix(n, "drift "); ok {
			addr, msg, _ := strings.Cut(rest, ": ")
			out = append(out, checkpoint.Finding{Kind: checkpoint.Drift, Address: addr, Message: msg})
		}
	}
	return out
}

// next lists the stages a resumed apply would start with.
func next(p *stages.Pipeline, status map[string]stages.Status) []string {
	var out []string
	for _, s := range p.Stages {
		switch status[s.Name] {
		case stages.Done, stages.Skipped:
			continue
		case stages.Failed, stages.Interrupted, stages.Running, stages.Waiting, Confirmed:
			out = append(out, s.Name)
			continue
		}
		ready := true
		for _, d := range s.Deps {
			ready = ready && (status[d] == stages.Done || status[d] == stages.Skipped)
		}
		if ready {
			out = append(out, s.Name)
		}
	}
	return out
}

// teardownStatus is what status shows for a stage: what the last destroy
// did to it, unless the stage ran again since.
func teardownStatus(rec *checkpoint.StageRecord, tr *checkpoint.TeardownRecord) (stages.Status, string, bool) {
	if tr == nil {
		return "", "", false
	}
	if rec != nil {
		for _, t := range []*time.Time{rec.StartedAt, rec.FinishedAt} {
			if t != nil && t.After(tr.At) {
				return "", "", false
			}
		}
	}
	return tr.Status, tr.Error, true
}
