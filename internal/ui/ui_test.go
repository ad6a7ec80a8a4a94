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
)

func TestSummaryText(t *testing.T) {
	t.Parallel()
	s := &outcome.Summary{Project: "p", Total: 3 * time.Hour, RTO: 2 * time.Hour, Stages: []outcome.StageSummary{
		{Name: "stack.a", Status: stages.Done, Duration: 90 * time.Second},
		{Name: "stack.b", Status: stages.Failed, Error: "terraform apply failed:\n    Error: boom"},
		{Name: "stack.c", Status: stages.Blocked, Error: "stack.b failed"},
	}}
	var b bytes.Buffer
	WriteSummary(&b, s)
	out := b.String()
	for _, want := range []string{"stack.a  done     1m30s", "total 3h0m0s of RTO 2h0m0s (150.0%): OVER the recovery time objective", "stack.b failed:\n  terraform apply failed:\n      Error: boom"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	var j bytes.Buffer
	if err := WriteSummaryJSON(&j, s); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(j.Bytes(), &doc); err != nil || doc["type"] != "summary" || doc["total_seconds"].(float64) != 10800 {
		t.Errorf("summary JSON: %s (%v)", j.String(), err)
	}
}

func TestProgressPlainAndJSON(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 22, 2, 3, 4, 0, time.Local)
	var plain bytes.Buffer
	p := NewProgress(&plain, false, false)
	p.now = func() time.Time { return at }
	p.Emit(events.Event{Type: events.RunStarted, Time: at})
	p.Emit(events.Event{Type: events.StageStarted, Stage: "stack.a", Time: at})
	p.Emit(events.Event{Type: events.StageNote, Stage: "stack.a", Message: "applied"})
	p.Emit(events.Event{Type: events.StageFinished, Stage: "stack.a", Time: at, Outcome: "failed", Error: "boom", Duration: 1500 * time.Millisecond})
	p.Emit(events.Event{Type: events.StageFinished, Stage: "stack.b", Time: at, Outcome: "blocked", Error: "stack.a failed"})
	p.Emit(events.Event{Type: events.Waiting, Stage: "step.x", Time: at, Confirm: "tfrebuild confirm x --config rebuild.hcl"})
	p.Close()
	want := "02:03:04  stack.a          running\n02:03:04  stack.a          applied\n02:03:04  stack.a          failed in 1.5s\n" +
		"02:03:04  stack.b          blocked (stack.a failed)\n"
	if plain.String() != want {
		t.Errorf("plain progress:\n%q\nwant\n%q", plain.String(), want)
	}
	var js bytes.Buffer
	p = NewProgress(&js, true, true)
	p.Emit(events.Event{Type: events.StageFinished, Stage: "state", Time: at, Outcome: "done", Duration: time.Second})
	p.Close()
	var ev map[string]any
	if err := json.Unmarshal(js.Bytes(), &ev); err != nil || ev["stage"] != "state" || ev["status"] != "done" || ev["seconds"].(float64) != 1 {
		t.Errorf("JSON event: %s (%v)", js.String(), err)
	}
}

func TestPlanReportMarkdown(t *testing.T) {
	t.Parallel()
	rep := &outcome.PlanReport{Project: "p", Account: "123456789012", Region: "eu-west-2", Totals: outcome.Counts{"create": 3}, Mocked: true, Stages: []*outcome.PlanStage{
		{Name: "state", Status: stages.Done, Counts: outcome.Counts{"create": 1}, Actions: []outcome.PlanAction{{Address: "s3://b", Action: "create", Detail: "state bucket"}}},
		{Name: "stack.a", Status: stages.Done, State: "empty", Counts: outcome.Counts{"create": 2}, Mocked: true, MockedInputs: []string{"x = stack.s.outputs.y (mock)"},
			Actions: []outcome.PlanAction{{Address: "terraform_data.a", Action: "create"}, {Address: "terraform_data.b", Action: "create"}}},
		{Name: "stack.b", Status: stages.Failed, Counts: outcome.Counts{}, Error: "terraform plan failed"},
	}}
	var b bytes.Buffer
	WritePlanMarkdown(&b, rep)
	md := b.String()
	for _, want := range []string{
		"**The plan failed** for: stack.b.",
		"| `stack.a` | 2 | 0 | 0 | 0 | 0 |  | no state yet; ⚠️ rests on mocked values |",
		"<details><summary><code>stack.a</code>: 2 to create (no state yet) [rests on mocked values]</summary>",
		"- `+` `s3://b` — state bucket",
		"- mocked input: `x = stack.s.outputs.y (mock)`",
		"```\nterraform plan failed\n```",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}
