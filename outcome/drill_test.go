package outcome

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/restore"
	"github.com/tfrebuild/tfrebuild/stages"
)

// #11.2: a drill that stops at a manual step failed, and says how to
// pre-confirm the step.
func TestADrillThatWaitsFailed(t *testing.T) {
	t.Parallel()
	sum := &Summary{Total: time.Minute, Stages: []StageSummary{{Name: "step.handoff", Status: stages.Waiting}}}
	v := JudgeDrill(sum, time.Hour, stages.ErrWaiting)
	if v.Passed || !strings.Contains(v.Reason, "step.handoff") || !strings.Contains(v.Reason, "--confirm handoff") {
		t.Errorf("verdict %s", v)
	}
	if err := v.Err(); err == nil || errors.Is(err, stages.ErrWaiting) {
		t.Errorf("a failed drill's error must not read as waiting (exit 3): %v", err)
	}
}

func TestJudgeDrill(t *testing.T) {
	t.Parallel()
	sum := &Summary{Total: 90 * time.Minute}
	for _, tc := range []struct {
		err  error
		rto  time.Duration
		want string
	}{
		{nil, 2 * time.Hour, "PASSED"},
		{nil, 0, "PASSED"},
		{nil, time.Hour, "FAILED: over the recovery time objective"},
		{errors.New("boom"), 2 * time.Hour, "FAILED: the rebuild did not complete"},
	} {
		v := JudgeDrill(sum, tc.rto, tc.err)
		if v.String() != tc.want || (v.Err() == nil) != v.Passed {
			t.Errorf("JudgeDrill(%v, %v) = %s, want %s", tc.rto, tc.err, v, tc.want)
		}
	}
	if v := JudgeDrill(nil, time.Hour, errors.New("boom")); v.Took != 0 || v.Passed {
		t.Errorf("no summary: %+v", v)
	}
}

// Restored data over the RPO, or that differs from its source, fails a
// drill that was otherwise in time, and the reason names the restore.
func TestADrillFailsOnItsData(t *testing.T) {
	t.Parallel()
	old := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	age := int64(7200)
	late := &checkpoint.Restore{RPO: restore.RPO{RecoveryPoint: &old, DataAgeSeconds: &age, RPOSeconds: 900}}
	sum := &Summary{Total: time.Minute, Stages: []StageSummary{{Name: "restore.orders", Status: stages.Done, Restore: late}}}
	v := JudgeDrill(sum, time.Hour, nil)
	if v.Passed || !strings.Contains(v.Reason, "restore.orders: recovery point 2026-12-01T06:00:00Z, data age 2h0m0s (RPO 15m0s: OVER the recovery point objective)") {
		t.Errorf("a restore over its RPO: %s", v)
	}
	if got := sum.OverRPO(); len(got) != 1 {
		t.Errorf("OverRPO = %v", got)
	}
}

func TestDescribeRPO(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	incident := at.Add(4 * time.Minute)
	age, loss := int64(240), int64(240)
	for _, tc := range []struct {
		m    restore.RPO
		want string
	}{
		{restore.RPO{}, "recovery point unknown: not within RPO"},
		{restore.RPO{RecoveryPoint: &at, DataAgeSeconds: &age}, "recovery point 2026-12-01T06:00:00Z, data age 4m0s (no rpo set)"},
		{restore.RPO{RecoveryPoint: &at, DataAgeSeconds: &age, RPOSeconds: 900, RPOMet: true}, "recovery point 2026-12-01T06:00:00Z, data age 4m0s (RPO 15m0s: within)"},
		{restore.RPO{RecoveryPoint: &at, DataLossSeconds: &loss, IncidentAt: &incident, RPOSeconds: 900, RPOMet: true},
			"recovery point 2026-12-01T06:00:00Z, data loss 4m0s before the incident at 2026-12-01T06:04:00Z (RPO 15m0s: within)"},
	} {
		if got := DescribeRPO(tc.m); got != tc.want {
			t.Errorf("DescribeRPO(%+v)\n got %s\nwant %s", tc.m, got, tc.want)
		}
	}
}
