package report

import (
	"time"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/history"
	"github.com/tfrebuild/tfrebuild/stages"
	"github.com/tfrebuild/tfrebuild/timeline"
)

// Report is the recovery report. Its JSON form is a contract.
type Report struct {
	Project string `json:"project"`
	Account string `json:"account"`
	Region  string `json:"region"`
	// Kind is rebuild or drill; RunID the run that last drove it.
	Kind      string     `json:"kind"`
	RunID     string     `json:"run_id,omitempty"`
	StartedAt *time.Time `json:"started_at,omitempty"`
	EndedAt   *time.Time `json:"ended_at,omitempty"`
	Complete  bool       `json:"complete"`
	Passed    bool       `json:"passed"`
	Verdict   string     `json:"verdict"`
	// RTOSeconds is the objective; RTO the time used and its breakdown.
	RTOSeconds   float64                `json:"rto_seconds"`
	RTO          *events.RTO            `json:"rto,omitempty"`
	CriticalPath *events.CriticalPath   `json:"critical_path,omitempty"`
	Restores     []Restore              `json:"restores"`
	Stages       []timeline.StageStatus `json:"stages"`
	Runs         []checkpoint.Run       `json:"runs"`
	Engine       string                 `json:"engine,omitempty"`
	ConfigHash   string                 `json:"config_hash,omitempty"`
	RanBy        string                 `json:"ran_by,omitempty"`
	RanFrom      string                 `json:"ran_from,omitempty"`
	// Prediction is the RTO the history predicts for the next rebuild.
	Prediction *history.Prediction `json:"prediction,omitempty"`
	// FromHistory: the checkpoint holds no rebuild (destroyed since), and
	// the report is the history's last record, without attempts.
	FromHistory bool `json:"from_history,omitempty"`
}

// Restore is one restore's data against the RPO.
type Restore struct {
	Stage          string     `json:"stage"`
	Source         string     `json:"source"`
	RecoveryPoint  *time.Time `json:"recovery_point,omitempty"`
	DataAgeSeconds *int64     `json:"data_age_seconds,omitempty"`
	RPOSeconds     int64      `json:"rpo_seconds"`
	RPOMet         bool       `json:"rpo_met"`
	// Verified is the check of what came back: "ok", "mismatch: ...",
	// or empty when it was not checked.
	Verified string `json:"verified,omitempty"`
}

// Meta is what the caller knows beside the checkpoint.
type Meta struct {
	ConfigHash string
	Now        time.Time
	// Redact removes known secrets from a text; nil leaves texts as
	// they are.
	Redact func(string) string
}

// Build is the report of the rebuild in the status st (read from the
// checkpoint c over p) with the target's history (oldest first). A
// checkpoint without a rebuild (after destroy) reports the newest record
// of the history instead.
func Build(st *timeline.Status, c *checkpoint.Checkpoint, p *stages.Pipeline, hist []history.Record, m Meta) *Report {
	r := &Report{Project: st.Project, Account: st.Account, Region: st.Region, Kind: history.Rebuild, RunID: st.RunID,
		StartedAt: st.StartedAt, RTOSeconds: st.RTOSeconds, RTO: st.RTO, CriticalPath: st.CriticalPath,
		Stages: st.Stages, Runs: c.Runs, Engine: st.Engine, ConfigHash: m.ConfigHash, Restores: []Restore{}}
	if len(hist) > 0 {
		pred := history.Predict(history.Nodes(p), hist)
		r.Prediction = &pred
	}
	if c.Run != nil {
		r.RanBy, r.RanFrom = c.Run.User, c.Run.Host
	}
	if st.StartedAt == nil && len(hist) > 0 {
		fromRecord(r, hist[len(hist)-1])
	} else {
		r.Complete = c.Complete(p)
		if end := timeline.CompletedAt(c, p); !end.IsZero() {
			r.EndedAt = &end
		}
		rec := history.FromCheckpoint(history.Rebuild, c, p, time.Duration(st.RTOSeconds*float64(time.Second)), st.Engine, m.Now)
		r.Passed, r.Verdict = rec.Passed, rec.Verdict
		// The drill that ran this rebuild, when history has it.
		if n := len(hist); n > 0 && hist[n-1].RunID == c.RunID && hist[n-1].StartedAt.Equal(c.StartedAt) {
			r.Kind, r.Passed, r.Verdict = hist[n-1].Kind, hist[n-1].Passed, hist[n-1].Verdict
		}
		for _, s := range st.Stages {
			if s.Restore != nil {
				r.Restores = append(r.Restores, restoreRow(s.Name, s.Restore))
			}
		}
	}
	redact(r, m.Redact)
	return r
}

// fromRecord fills the report from a history record.
func fromRecord(r *Report, h history.Record) {
	r.FromHistory, r.Kind, r.RunID, r.Passed, r.Verdict = true, h.Kind, h.RunID, h.Passed, h.Verdict
	start, end := h.StartedAt, h.FinishedAt
	r.StartedAt, r.EndedAt, r.Complete = &start, &end, h.Passed || h.Kind == history.Rebuild
	r.RTO, r.CriticalPath, r.Engine, r.RTOSeconds = h.Clock, h.CriticalPath, h.Engine, h.RTOSeconds
	r.Stages = nil
	for _, s := range h.Stages {
		r.Stages = append(r.Stages, timeline.StageStatus{Name: s.Stage, Status: s.Status, Seconds: s.Seconds, AttemptCount: s.Attempts, Attempts: []checkpoint.Attempt{}})
	}
	for _, rs := range h.Restores {
		r.Restores = append(r.Restores, Restore{Stage: rs.Stage, Source: rs.Source, RecoveryPoint: rs.RecoveryPoint,
			DataAgeSeconds: rs.DataAgeSeconds, RPOSeconds: rs.RPOSeconds, RPOMet: rs.RPOMet})
	}
	r.Runs = nil
}

func restoreRow(stage string, rs *checkpoint.Restore) Restore {
	out := Restore{Stage: stage, Source: rs.RPO.Source, RecoveryPoint: rs.RPO.RecoveryPoint, DataAgeSeconds: rs.RPO.DataAgeSeconds,
		RPOSeconds: rs.RPO.RPOSeconds, RPOMet: rs.RPO.RPOMet}
	if out.Source == "" {
		out.Source = rs.Result.Source
	}
	if v := rs.Result.Verified; v != nil {
		out.Verified = "ok"
		if !v.OK {
			out.Verified = "mismatch"
		}
	}
	return out
}

// redact passes every free text of the report through f.
func redact(r *Report, f func(string) string) {
	if f == nil {
		return
	}
	r.Verdict = f(r.Verdict)
	for i := range r.Stages {
		s := &r.Stages[i]
		s.Error = f(s.Error)
		s.Notes = mapStrings(s.Notes, f)
		atts := make([]checkpoint.Attempt, len(s.Attempts))
		for j, a := range s.Attempts {
			a.Error = f(a.Error)
			atts[j] = a
		}
		s.Attempts = atts
		fs := make([]checkpoint.Finding, len(s.Findings))
		for j, x := range s.Findings {
			x.Message = f(x.Message)
			fs[j] = x
		}
		if len(fs) > 0 {
			s.Findings = fs
		}
	}
}

func mapStrings(in []string, f func(string) string) []string {
	if in == nil {
		return nil
	}
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = f(s)
	}
	return out
}
