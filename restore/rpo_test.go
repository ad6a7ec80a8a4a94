package restore

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestMeasure(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 25, 6, 0, 0, 0, time.UTC)
	point := func(d time.Duration) *time.Time { p := at.Add(-d); return &p }
	for _, tc := range []struct {
		name  string
		point *time.Time
		rpo   time.Duration
		age   int64 // -1: unknown
		met   bool
	}{
		{"within", point(10 * time.Minute), 15 * time.Minute, 600, true},
		{"exactly at the objective", point(15 * time.Minute), 15 * time.Minute, 900, true},
		{"older", point(15*time.Minute + 400*time.Millisecond), 15 * time.Minute, 901, false},
		{"no objective", point(48 * time.Hour), 0, 172800, true},
		{"clock skew: point after restore", point(-2 * time.Second), time.Minute, 0, true},
		{"unknown recovery point", nil, time.Hour, -1, false},
	} {
		m := Measure(&Result{Kind: KindDynamoDB, Source: "backup x", RecoveryPoint: tc.point, RestoredAt: at}, tc.rpo)
		switch {
		case m.RPOMet != tc.met:
			t.Errorf("%s: rpo_met %v, want %v", tc.name, m.RPOMet, tc.met)
		case tc.age < 0 && m.DataAgeSeconds != nil:
			t.Errorf("%s: data age %d for an unknown recovery point", tc.name, *m.DataAgeSeconds)
		case tc.age >= 0 && (m.DataAgeSeconds == nil || *m.DataAgeSeconds != tc.age):
			t.Errorf("%s: data age %v, want %d", tc.name, m.DataAgeSeconds, tc.age)
		case m.RPOSeconds != int64(tc.rpo/time.Second):
			t.Errorf("%s: rpo_seconds %d", tc.name, m.RPOSeconds)
		}
	}
}

// The JSON names are a contract: status --json and the checkpoint carry them.
func TestRPOJSONNames(t *testing.T) {
	t.Parallel()
	p := time.Date(2026, 11, 25, 6, 0, 0, 0, time.UTC)
	m := Measure(&Result{Kind: KindS3, Source: "s3://b versions", RecoveryPoint: &p, RestoredAt: p.Add(time.Minute)}, 15*time.Minute)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"kind":"s3_bucket","source":"s3://b versions","recovery_point":"2026-11-25T06:00:00Z","data_age_seconds":60,"rpo_seconds":900,"rpo_met":true}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	e := Expected(&Plan{Kind: KindDynamoDB, Source: "backup y", RecoveryPoint: &p}, time.Hour, p.Add(2*time.Hour), time.Time{})
	if e.RPOMet || *e.DataAgeSeconds != 7200 {
		t.Errorf("expected RPO of a 2h old backup against 1h: %+v", e)
	}
	if b, _ := json.Marshal(Result{}); !strings.Contains(string(b), `"restored_at"`) {
		t.Errorf("result JSON: %s", b)
	}
}

// Against the incident: a replica that was itself behind lost what it
// had not received by then, however fresh the restore.
func TestMeasureAtTheIncident(t *testing.T) {
	t.Parallel()
	incident := time.Date(2026, 11, 25, 6, 0, 0, 0, time.UTC)
	point := incident.Add(-20 * time.Minute) // the replica's newest write
	m := MeasureAt(&Result{Kind: KindS3, Source: "s3://replica", RecoveryPoint: &point, RestoredAt: incident.Add(2 * time.Hour)}, 15*time.Minute, incident)
	if m.DataLossSeconds == nil || *m.DataLossSeconds != 1200 || m.RPOMet || m.IncidentAt == nil || !m.IncidentAt.Equal(incident) {
		t.Errorf("20 minutes behind at the incident: %+v", m)
	}
	later := incident.Add(time.Minute) // the source went on after the incident
	if m := MeasureAt(&Result{Kind: KindS3, RecoveryPoint: &later, RestoredAt: incident.Add(time.Hour)}, 15*time.Minute, incident); *m.DataLossSeconds != 0 || !m.RPOMet {
		t.Errorf("a recovery point after the incident: %+v", m)
	}
	if m := MeasureAt(&Result{Kind: KindS3, RestoredAt: incident}, time.Hour, incident); m.RPOMet || m.DataLossSeconds != nil {
		t.Errorf("an unknown recovery point: %+v", m)
	}
}
