package restore

import (
	"math"
	"time"
)

// RPO is a restore's data age measured against the objective. Its JSON
// form is a contract (checkpoint, status --json, drill report).
type RPO struct {
	Kind   Kind   `json:"kind"`
	Source string `json:"source"`
	// RecoveryPoint is nil when unknown; then DataAgeSeconds is absent and
	// RPOMet is false: an unmeasured restore never counts as within RPO.
	RecoveryPoint  *time.Time `json:"recovery_point"`
	DataAgeSeconds *int64     `json:"data_age_seconds,omitempty"`
	// RPOSeconds is the objective; 0 when none is configured, and then
	// RPOMet is true whenever the data age is known.
	RPOSeconds int64 `json:"rpo_seconds"`
	RPOMet     bool  `json:"rpo_met"`
	// IncidentAt is when the data was lost (--incident-at; by default the
	// start of the rebuild), and DataLossSeconds the time from the
	// recovery point to it: the writes the restore cannot bring back.
	// With an incident time, RPOMet judges the data loss, not the age.
	IncidentAt      *time.Time `json:"incident_at,omitempty"`
	DataLossSeconds *int64     `json:"data_loss_seconds,omitempty"`
}

// DataAge is how much data a restore lost at most: the time from the
// recovery point to the moment the data was back. Never negative (clocks
// of AWS and this machine may disagree by a little).
func DataAge(restoredAt, recoveryPoint time.Time) time.Duration {
	if d := restoredAt.Sub(recoveryPoint); d > 0 {
		return d
	}
	return 0
}

// MeasureAt measures a restore against the incident: data loss =
// incident − recovery point (never negative: a source that went on
// receiving writes after the incident lost none), judged against rpo.
// A zero incident measures the data age as Measure does.
func MeasureAt(r *Result, rpo time.Duration, incident time.Time) RPO {
	m := Measure(r, rpo)
	if incident.IsZero() {
		return m
	}
	at := incident.UTC()
	m.IncidentAt = &at
	if r.RecoveryPoint == nil {
		return m
	}
	loss := DataAge(incident, *r.RecoveryPoint)
	s := seconds(loss)
	m.DataLossSeconds = &s
	m.RPOMet = rpo == 0 || loss <= rpo
	return m
}

// Measure compares a restore's data age with rpo (0: no objective).
func Measure(r *Result, rpo time.Duration) RPO {
	m := RPO{Kind: r.Kind, Source: r.Source, RecoveryPoint: r.RecoveryPoint, RPOSeconds: seconds(rpo)}
	if r.RecoveryPoint == nil {
		return m
	}
	age := DataAge(r.RestoredAt, *r.RecoveryPoint)
	s := seconds(age)
	m.DataAgeSeconds = &s
	m.RPOMet = rpo == 0 || age <= rpo
	return m
}

// Expected is the data age a planned restore would have if it ran at now:
// what `tfrebuild plan` shows beside the objective.
// incident is as for MeasureAt.
func Expected(p *Plan, rpo time.Duration, now, incident time.Time) RPO {
	return MeasureAt(&Result{Kind: p.Kind, Source: p.Source, RecoveryPoint: p.RecoveryPoint, RestoredAt: now}, rpo, incident)
}

// seconds rounds up, so that 15m0.4s of data age is never reported as
// within a 15m objective.
func seconds(d time.Duration) int64 {
	return int64(math.Ceil(d.Seconds()))
}
