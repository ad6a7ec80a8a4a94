package ui

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/outcome"
	"github.com/tfrebuild/tfrebuild/stages"
	"github.com/tfrebuild/tfrebuild/timeline"
)

func TestPlanTextAndJSON(t *testing.T) {
	t.Parallel()
	rep := &outcome.PlanReport{Project: "p", Account: "123456789012", Region: "eu-west-2", Totals: outcome.Counts{"create": 1, "drift": 1}, Mocked: true,
		Stages: []*outcome.PlanStage{
			{Name: "state", Status: stages.Done, Counts: outcome.Counts{"drift": 1}, Actions: []outcome.PlanAction{{Address: "s3://b", Action: "drift", Detail: "versioning"}}},
			{Name: "stack.a", Status: stages.Done, Counts: outcome.Counts{"create": 1}, MockedInputs: []string{"x = y (mock)"}, Actions: []outcome.PlanAction{{Address: "terraform_data.a", Action: "create"}}},
			{Name: "stack.b", Status: stages.Failed, Error: "boom\nline 2"},
			{Name: "stack.c", Status: stages.Skipped},
		}}
	var b bytes.Buffer
	WritePlan(&b, rep)
	for _, want := range []string{"Plan for p → account 123456789012, eu-west-2", "state: 1 drifted\n  !   s3://b: versioning",
		"  +   terraform_data.a", "  mocked input: x = y (mock)", "stack.b: failed\n  error: boom\n    line 2", "stack.c: skipped (optional, not in this run)",
		"Total: unknown: 1 stage(s) could not be planned (stack.b); 1 to create, 1 drifted at least. Some plans rest on mocked"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("plan text lacks %q:\n%s", want, b.String())
		}
	}
	var j bytes.Buffer
	if err := WritePlanJSON(&j, rep); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(j.Bytes(), &doc); err != nil || doc["project"] != "p" || len(doc["stages"].([]any)) != 4 {
		t.Errorf("plan JSON: %s %v", j.String(), err)
	}
}

func TestStatusText(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC)
	st := &timeline.Status{Project: "p", Account: "123456789012", Region: "eu-west-2", StartedAt: &start, ElapsedSeconds: 90, RTOSeconds: 3600,
		Next: []string{"stack.b"}, Drift: []string{"state: drift s3://b: versioning"},
		RTO:          &events.RTO{RebuildStarted: start, ElapsedSeconds: 90, WorkingSeconds: 60, FailedSeconds: 20, IdleSeconds: 10, Runs: 2},
		CriticalPath: &events.CriticalPath{Seconds: 60, Stages: []events.PathStage{{Stage: "stack.a", Seconds: 60, Share: 1}}},
		Stages: []timeline.StageStatus{{Name: "stack.a", Status: stages.Done, AttemptCount: 1, StartedAt: &start, Seconds: 1.5},
			{Name: "stack.b", Status: stages.Failed, AttemptCount: 2, Error: "boom\nmore"},
			{Name: "step.x", Status: timeline.Confirmed, AttemptCount: 1, ConfirmedBy: "ann@h"}}}
	var b bytes.Buffer
	WriteStatus(&b, st)
	for _, want := range []string{"p → account 123456789012, eu-west-2: rebuild began 2026-11-22T02:00:00Z, 1m30s ago (RTO 1h0m0s)",
		"stack.b  failed              2", "boom\n", "next: stack.b", "step.x   confirmed by ann@h  1",
		"  working 1m0s · waiting for a person 0s · lost to failed attempts 20s · idle between runs 10s (2 runs since 2026-11-22T02:00:00Z)",
		"critical path 1m0s: stack.a 1m0s (100%)", "state: drift s3://b: versioning"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("status text lacks %q:\n%s", want, b.String())
		}
	}
	b.Reset()
	WriteStatus(&b, &timeline.Status{Project: "p", Account: "1", Region: "r"})
	if !strings.Contains(b.String(), "no rebuild has started") {
		t.Errorf("empty status: %s", b.String())
	}
	var j bytes.Buffer
	if err := WriteStatusJSON(&j, st); err != nil || !strings.Contains(j.String(), `"drift": [`) {
		t.Errorf("status JSON: %s %v", j.String(), err)
	}
}

func TestDrillLine(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	WriteDrill(&b, outcome.JudgeDrill(&outcome.Summary{Total: 90 * time.Minute}, time.Hour, nil))
	if b.String() != "\ndrill: rebuild took 1h30m0s (RTO 1h0m0s, 150.0%): FAILED: over the recovery time objective\n" {
		t.Errorf("drill line: %q", b.String())
	}
	b.Reset()
	WriteDrill(&b, outcome.JudgeDrill(&outcome.Summary{Total: time.Second}, 0, nil))
	if b.String() != "\ndrill: rebuild took 1s (no rto set): PASSED\n" {
		t.Errorf("drill line: %q", b.String())
	}
}
