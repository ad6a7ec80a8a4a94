package history

import (
	"sort"
	"time"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/stages"
	"github.com/tfrebuild/tfrebuild/timeline"
)

// Schema is the record format this build writes. Its JSON form is a
// contract: fields are added, never renamed.
const Schema = 1

// The kinds of record.
const (
	Rebuild = "rebuild"
	Drill   = "drill"
)

// Record is what one rebuild or drill leaves behind. It never holds a
// secret: names, times, figures, and the verdict's reason.
type Record struct {
	Schema     int       `json:"schema"`
	Kind       string    `json:"kind"`
	Project    string    `json:"project"`
	Account    string    `json:"account"`
	Region     string    `json:"region"`
	RunID      string    `json:"run_id"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	// Passed and Verdict judge the run: within the RTO and RPO (a drill:
	// also unattended and verified), with the reason when not.
	Passed  bool   `json:"passed"`
	Verdict string `json:"verdict"`
	// RTOSeconds is the objective; Clock the RTO used, broken down.
	RTOSeconds   float64              `json:"rto_seconds"`
	Clock        *events.RTO          `json:"rto"`
	CriticalPath *events.CriticalPath `json:"critical_path,omitempty"`
	Stages       []StageTime          `json:"stages"`
	Restores     []RestoreAge         `json:"restores,omitempty"`
	Engine       string               `json:"engine,omitempty"`
}

// StageTime is how long one stage's successful attempt took, and how many
// attempts the stage needed.
type StageTime struct {
	Stage    string        `json:"stage"`
	Status   stages.Status `json:"status"`
	Seconds  float64       `json:"seconds"`
	Attempts int           `json:"attempts"`
}

// RestoreAge is the data age of one restore against the RPO.
type RestoreAge struct {
	Stage          string     `json:"stage"`
	Source         string     `json:"source"`
	RecoveryPoint  *time.Time `json:"recovery_point,omitempty"`
	DataAgeSeconds *int64     `json:"data_age_seconds,omitempty"`
	RPOSeconds     int64      `json:"rpo_seconds"`
	RPOMet         bool       `json:"rpo_met"`
}

// ElapsedSeconds is the RTO used.
func (r Record) ElapsedSeconds() float64 {
	if r.Clock == nil {
		return 0
	}
	return r.Clock.ElapsedSeconds
}

// Stage is the time of a stage in the record, nil when it has none.
func (r Record) Stage(name string) *StageTime {
	for i := range r.Stages {
		if r.Stages[i].Stage == name {
			return &r.Stages[i]
		}
	}
	return nil
}

// ID names a record uniquely within a target: its start, kind and run.
func (r Record) ID() string {
	return r.StartedAt.UTC().Format("20060102T150405.000000000Z") + "-" + r.Kind + "-" + r.RunID
}

// FromCheckpoint is the record of the rebuild in c over the pipeline p,
// read at now: the clock and critical path as timeline reads them, every
// stage that ran with its duration and attempts, every restore's data
// age. The verdict is the RTO's and the RPO's; a drill sets its own.
func FromCheckpoint(kind string, c *checkpoint.Checkpoint, p *stages.Pipeline, rto time.Duration, engine string, now time.Time) Record {
	r := Record{Schema: Schema, Kind: kind, Project: c.Project, Account: c.Account, Region: c.Region, RunID: c.RunID,
		StartedAt: c.StartedAt, RTOSeconds: rto.Seconds(), Engine: engine, Stages: []StageTime{}}
	r.Clock = timeline.Clock(c, p, rto, now, "")
	r.CriticalPath = timeline.CriticalPath(c, p)
	r.FinishedAt = timeline.CompletedAt(c, p)
	if r.FinishedAt.IsZero() {
		r.FinishedAt = now
	}
	for _, s := range p.Stages {
		rec := c.Lookup(s.Name)
		if s.Skipped || rec == nil {
			continue
		}
		r.Stages = append(r.Stages, StageTime{Stage: s.Name, Status: rec.Status, Seconds: round3(rec.Elapsed().Seconds()),
			Attempts: max(rec.Attempts, len(rec.History))})
		if rs := rec.Restore; rs != nil {
			r.Restores = append(r.Restores, RestoreAge{Stage: s.Name, Source: rs.RPO.Source, RecoveryPoint: rs.RPO.RecoveryPoint,
				DataAgeSeconds: rs.RPO.DataAgeSeconds, RPOSeconds: rs.RPO.RPOSeconds, RPOMet: rs.RPO.RPOMet})
		}
	}
	r.Passed, r.Verdict = judge(r, c.Complete(p))
	return r
}

// judge is the verdict of a rebuild from its figures.
func judge(r Record, complete bool) (bool, string) {
	switch {
	case !complete:
		return false, "FAILED: the rebuild did not complete"
	case r.Clock != nil && !r.Clock.Met:
		return false, "FAILED: over the recovery time objective"
	}
	for _, rs := range r.Restores {
		if !rs.RPOMet {
			return false, "FAILED: restored data over the recovery point objective: " + rs.Stage
		}
	}
	return true, "PASSED"
}

// sortRecords orders records oldest first.
func sortRecords(list []Record) {
	sort.SliceStable(list, func(i, j int) bool {
		if !list[i].StartedAt.Equal(list[j].StartedAt) {
			return list[i].StartedAt.Before(list[j].StartedAt)
		}
		return list[i].ID() < list[j].ID()
	})
}

// newest keeps the n newest of records sorted oldest first; all for n <= 0.
func newest(list []Record, n int) []Record {
	if n > 0 && len(list) > n {
		return list[len(list)-n:]
	}
	return list
}

func round3(x float64) float64 { return float64(int64(x*1000+0.5)) / 1000 }
