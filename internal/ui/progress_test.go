package ui

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/internal/testenv"
	"github.com/tfrebuild/tfrebuild/outcome"
	"github.com/tfrebuild/tfrebuild/stages"
)

// syncBuffer is a buffer the progress ticker and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls until the output holds want: a condition, not a delay.
func waitFor(t *testing.T, out *syncBuffer, want string) {
	t.Helper()
	testenv.Until(t, 10*time.Second, fmt.Sprintf("the output to show %q", want), func() bool {
		return strings.Contains(out.String(), want)
	})
}

// #11.7: plain output (CI) says what is still running, so a long stage
// does not look like a hang to a CI system that kills silent jobs.
func TestPlainProgressHasAHeartbeat(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 22, 2, 0, 0, 0, time.Local)
	out := &syncBuffer{}
	p := NewProgress(out, false, false)
	p.Heartbeat = 5 * time.Millisecond
	p.now = func() time.Time { return at.Add(72 * time.Second) }
	p.Emit(events.Event{Type: events.StageStarted, Stage: "stack.blue", Time: at})
	p.Emit(events.Event{Type: events.ResourceProgress, Stage: "stack.blue", Time: at,
		Resource: &events.Resource{Address: "aws_ecs_service.api", Action: "create", Phase: "complete", Done: 4, Total: 6}})
	waitFor(t, out, "stack.blue       still running applying 4/6 for 1m12s")
	if !strings.Contains(out.String(), "stack.blue       aws_ecs_service.api: create complete (4/6)") {
		t.Errorf("no resource line:\n%s", out)
	}
	p.Emit(events.Event{Type: events.StageFinished, Stage: "stack.blue", Time: at, Outcome: events.OutcomeSkipped, Attempt: 2})
	p.Close()
	if !strings.Contains(out.String(), "stack.blue       skipped: up to date") {
		t.Errorf("an up-to-date stage:\n%s", out)
	}
	n := strings.Count(out.String(), "still running")
	p.Close() // idempotent; no line after Close
	if strings.Count(out.String(), "still running") != n || strings.Contains(out.String(), "\033[") {
		t.Errorf("plain output after close or with terminal codes:\n%q", out)
	}
}

// On a terminal: one line per running stage, redrawn in place, with the
// stack's resource progress.
func TestTerminalProgressHasALinePerStage(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 22, 2, 0, 0, 0, time.Local)
	out := &syncBuffer{}
	p := NewProgress(out, true, false)
	p.now = func() time.Time { return at.Add(72 * time.Second) }
	p.Emit(events.Event{Type: events.StageStarted, Stage: "stack.blue", Time: at})
	p.Emit(events.Event{Type: events.StageStarted, Stage: "stack.green", Time: at})
	p.Emit(events.Event{Type: events.ResourceProgress, Stage: "stack.blue", Time: at,
		Resource: &events.Resource{Address: "x", Action: "create", Phase: "complete", Done: 4, Total: 6}})
	waitFor(t, out, "⏳ stack.blue       applying 4/6  1m12s\n⏳ stack.green      1m12s\n")
	p.Close()
	if !strings.HasSuffix(out.String(), "\033[2A\r\033[J") {
		t.Errorf("Close did not clear the live lines: %q", out)
	}
}

func TestSummaryShowsTheClockThePathAndNotes(t *testing.T) {
	t.Parallel()
	began := time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)
	s := &outcome.Summary{Project: "p", Total: 10900 * time.Millisecond, RTO: 30 * time.Minute,
		Clock: &events.RTO{RebuildStarted: began, ElapsedSeconds: 32, WorkingSeconds: 20, FailedSeconds: 5, IdleSeconds: 7, Runs: 2},
		CriticalPath: &events.CriticalPath{Seconds: 20, Stages: []events.PathStage{{Stage: "stack.a", Seconds: 15, Share: 0.75}, {Stage: "stack.b", Seconds: 5, Share: 0.25}},
			Slack: []events.StageSlack{{Stage: "stack.c", Seconds: 2, SlackSeconds: 3}}},
		Notes: []string{"notification ops (run_finished): POST failed after 3 attempts: 500 Internal Server Error"},
		Stages: []outcome.StageSummary{{Name: "stack.a", Status: stages.Skipped, UpToDate: true}, {Name: "stack.b", Status: stages.Done, Duration: 5 * time.Second,
			Changes: []checkpoint.ResourceChange{{Address: "aws_dynamodb_table.orders", Action: "create", Repaired: true}, {Address: "aws_ssm_parameter.url", Action: "update"}}}}}
	var b bytes.Buffer
	WriteSummary(&b, s)
	for _, want := range []string{"stack.a  skipped (up to date)  -", "total 32s of RTO 30m0s (1.8%); this run 10.9s",
		"working 20s · waiting for a person 0s · lost to failed attempts 5s · idle between runs 7s (2 runs since 2026-11-25T03:00:00Z)",
		"critical path 20s: stack.a 15s (75%) → stack.b 5s (25%)", "without delaying the rebuild): stack.c 3s",
		"notes:\n  notification ops (run_finished): POST failed"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, b.String())
		}
	}
	b.Reset()
	WriteSummaryMarkdown(&b, "tfrebuild apply", s)
	for _, want := range []string{"### tfrebuild apply: p", "| `stack.a` | skipped (up to date) | - |", "**Total 32s** of RTO 30m0s (1.8%, within the objective)",
		"- critical path 20s", "> notification ops",
		"**Changed by this run**\n\n| stack | resource | action |\n|---|---|---|\n| `stack.b` | `aws_dynamodb_table.orders` | create (drift repaired) |\n| `stack.b` | `aws_ssm_parameter.url` | update |"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, b.String())
		}
	}
}
