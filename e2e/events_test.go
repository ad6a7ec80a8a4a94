package e2e

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tfrebuild/tfrebuild/events"
)

// A rebuild that fails, is fixed and resumed, with one --events file for
// both runs and a webhook: the stream tells the whole story, the RTO
// clock spans both runs, status agrees with the summary, and no secret
// leaves the process.
func TestEventStreamOfAFailedThenResumedRebuild(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, "evresume")
	ops := newReceiver(t, http.StatusOK)
	tg.env.Vars["OPS_WEBHOOK_URL"] = ops.srv.URL
	tg.env.Vars["GITHUB_STEP_SUMMARY"] = filepath.Join(tg.dir, "step-summary.md")
	hook := `
notify "ops" {
  url = env("OPS_WEBHOOK_URL")
  on  = ["started", "stage_done", "failed", "waiting", "done"]
}
`
	tg.write(slowStacks(tg.project, true, 0) + hook)
	stream := filepath.Join(tg.dir, "events.ndjson")
	wantCode(t, tg.run("apply", "--yes", "--events", stream), 1)
	tg.write(slowStacks(tg.project, false, 0) + hook)
	res := tg.run("apply", "--yes", "--events", stream)
	wantCode(t, res, 0)

	b, err := os.ReadFile(stream)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), sha256hex("core-token")) || strings.Contains(ops.all(), sha256hex("core-token")) {
		t.Error("the sensitive token output left the process")
	}
	all := runs(t, readEvents(t, string(b)))
	if len(all) != 2 {
		t.Fatalf("%d runs in the stream, want 2", len(all))
	}
	first, second := all[0], all[1]
	if e := finished(first, "stack.blue"); e == nil || e.Outcome != events.OutcomeFailed || e.Attempt != 1 || e.Error == "" {
		t.Errorf("blue in the first run: %+v", e)
	}
	if e := finished(first, "stack.join"); e == nil || e.Outcome != events.OutcomeBlocked {
		t.Errorf("join in the first run: %+v", e)
	}
	if e := first[len(first)-1]; e.Outcome != events.OutcomeFailed || e.RTO.FailedSeconds <= 0 {
		t.Errorf("first run_finished: %+v %+v", e, e.RTO)
	}
	if e := finished(second, "stack.base"); e == nil || e.Outcome != events.OutcomeSkipped || e.Attempt != 2 {
		t.Errorf("base in the resumed run: %+v", e)
	}
	if e := finished(second, "stack.blue"); e == nil || e.Outcome != events.OutcomeDone || e.Attempt != 2 {
		t.Errorf("blue in the resumed run: %+v", e)
	}
	last := second[len(second)-1]
	rto := last.RTO
	if last.Outcome != events.OutcomeDone || rto.Runs != 2 || !rto.RebuildStarted.Equal(first[0].RTO.RebuildStarted) ||
		rto.FailedSeconds <= 0 || rto.IdleSeconds <= 0 || last.CriticalPath == nil || len(last.CriticalPath.Stages) == 0 {
		t.Errorf("last run_finished: %+v rto %+v", last, rto)
	}
	sum := rto.WorkingSeconds + rto.WaitingSeconds + rto.FailedSeconds + rto.IdleSeconds
	if d := sum - rto.ElapsedSeconds; d > 0.001 || d < -0.001 {
		t.Errorf("the breakdown does not add up to the elapsed time: %+v", rto)
	}

	// #11.8: status and the summary tell the same time, and status keeps
	// the history of what the resume skipped.
	var st struct {
		ElapsedSeconds float64              `json:"elapsed_seconds"`
		RTO            *events.RTO          `json:"rto"`
		CriticalPath   *events.CriticalPath `json:"critical_path"`
		Stages         []struct {
			Name         string `json:"name"`
			Status       string `json:"status"`
			StartedAt    time.Time
			AttemptCount int `json:"attempt_count"`
			Attempts     []struct {
				Outcome string `json:"outcome"`
			} `json:"attempts"`
		} `json:"stages"`
	}
	out := tg.run("status", "--json")
	if err := json.Unmarshal([]byte(out.Stdout), &st); err != nil {
		t.Fatalf("status --json: %v\n%s", err, out.Stdout)
	}
	if st.ElapsedSeconds != rto.ElapsedSeconds || *st.RTO != *rto || st.CriticalPath == nil {
		t.Errorf("status %v %+v, run_finished %+v", st.ElapsedSeconds, st.RTO, rto)
	}
	total := "total " + time.Duration(rto.ElapsedSeconds*float64(time.Second)).Round(100*time.Millisecond).String() + " of RTO"
	if !strings.Contains(res.Stdout, total) || !strings.Contains(lineOf(res.Stdout, "stack.base", "skipped"), "skipped (up to date)") {
		t.Errorf("the summary does not say %q, or shows the skipped stack otherwise:\n%s", total, res.Stdout)
	}
	for _, s := range st.Stages {
		if s.Name == "stack.base" && (s.Status != "done" || s.AttemptCount != 2 || len(s.Attempts) != 2 || s.Attempts[1].Outcome != "skipped") {
			t.Errorf("status of a stage the resume skipped: %+v", s)
		}
	}

	// The webhook heard the starts, the failure and the end.
	got := ops.all()
	for _, want := range []string{`"type":"run_started"`, `"outcome":"failed"`, `"type":"run_finished","time"`, `"outcome":"done"`} {
		if !strings.Contains(got, want) {
			t.Errorf("the webhook did not get %s:\n%s", want, got)
		}
	}
	md, err := os.ReadFile(filepath.Join(tg.dir, "step-summary.md"))
	if err != nil || strings.Count(string(md), "### tfrebuild apply") != 2 {
		t.Errorf("the step summary should hold one summary per run: %v\n%s", err, md)
	}
}

// A rebuild that stops at a manual step, with --events - and webhooks
// that answer 500 or never answer: stdout is only the stream, the waiting
// notification says what to run, and the broken receivers are notes in
// the summary, not failures of the rebuild.
func TestEventsAndNotificationsOfAWaitingRebuild(t *testing.T) {
	t.Parallel()
	health := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer health.Close()
	slack, broken, hung := newReceiver(t, http.StatusOK), newReceiver(t, http.StatusInternalServerError), newReceiver(t, 0)
	tg := newTarget(t, "evwait")
	tg.env.Vars["SLACK_URL"], tg.env.Vars["BROKEN_URL"], tg.env.Vars["HUNG_URL"] = slack.srv.URL, broken.srv.URL, hung.srv.URL
	tg.write(`
stack "base" {
  source = "{{stacks}}/base"
  inputs = { name = "` + strings.TrimPrefix(health.URL, "http://") + `" }
}
check "health" {
  url      = replace("http://${stack.base.outputs.network}/", "net-", "")
  interval = "100ms"
  timeout  = "20s"
}
step "handoff" {
  instructions = "Give the new API key to the partner team."
  after        = [check.health]
}
notify "chat" {
  url    = env("SLACK_URL")
  on     = ["waiting"]
  format = "slack"
}
notify "broken" {
  url = env("BROKEN_URL")
}
notify "hung" {
  url = env("HUNG_URL")
}
`)
	res := tg.run("apply", "--yes", "--events", "-")
	wantCode(t, res, 3)
	evs := readEvents(t, res.Stdout)
	all := runs(t, evs)
	if len(all) != 1 {
		t.Fatalf("%d runs", len(all))
	}
	var order []string
	for _, e := range all[0] {
		if e.Stage == "step.handoff" || e.Type == events.RunFinished {
			order = append(order, string(e.Type)+":"+string(e.Outcome))
		}
		if e.Type == events.Waiting && (e.Message != "Give the new API key to the partner team." || !strings.HasPrefix(e.Confirm, "tfrebuild confirm handoff --config ")) {
			t.Errorf("waiting event: %+v", e)
		}
	}
	want := "stage_started:,stage_note:,waiting:,stage_finished:waiting,run_finished:waiting"
	if strings.Join(order, ",") != want {
		t.Errorf("step events %v, want %s", order, want)
	}
	if !strings.Contains(res.Stderr, "STAGE") || !strings.Contains(res.Stderr, "step.handoff") {
		t.Errorf("with --events - the summary goes to stderr:\n%s", res.Stderr)
	}
	if got := slack.all(); !strings.Contains(got, "tfrebuild confirm handoff --config") || !strings.Contains(got, "step.handoff") {
		t.Errorf("the waiting notification: %s", got)
	}
	if !strings.Contains(res.Stderr, "notification broken") || !strings.Contains(res.Stderr, "notification hung") {
		t.Errorf("failed deliveries should be notes in the summary:\n%s", res.Stderr)
	}
	for _, r := range []*receiver{slack, broken, hung} {
		if strings.Contains(r.all(), sha256hex(strings.TrimPrefix(health.URL, "http://")+"-token")) {
			t.Error("a notification carried the sensitive token")
		}
	}
	if strings.Contains(res.Stdout, sha256hex(strings.TrimPrefix(health.URL, "http://")+"-token")) {
		t.Error("the event stream carried the sensitive token")
	}
	// #11.8: once confirmed, status no longer says the step waits.
	wantCode(t, tg.run("confirm", "handoff", "--by", "alice"), 0)
	st := tg.run("status")
	if l := lineOf(st.Stdout, "step.handoff", "confirmed"); !strings.Contains(l, "alice") || strings.Contains(l, "waiting") {
		t.Errorf("status after confirm:\n%s", st.Stdout)
	}
}

// A successful rebuild, its plan and its teardown, streamed to one file:
// every stage starts then finishes done, the run ends with the clock and
// the critical path, plan appends its report to the step summary, and
// destroy ends the rebuild (#11.8: the next apply starts a new clock).
func TestEventStreamOfASuccessfulRebuildAndItsTeardown(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, "evok")
	stepSummary := filepath.Join(tg.dir, "step-summary.md")
	tg.env.Vars["GITHUB_STEP_SUMMARY"] = stepSummary
	tg.write(strings.ReplaceAll(fourStacks, "%s", tg.project))
	stream := filepath.Join(tg.dir, "events.ndjson")
	wantCode(t, tg.run("plan", "--events", stream), 0)
	wantCode(t, tg.run("apply", "--yes", "--events", stream), 0)
	wantCode(t, tg.run("destroy", "--yes", "--events", stream), 0)
	b, err := os.ReadFile(stream)
	if err != nil {
		t.Fatal(err)
	}
	all := runs(t, readEvents(t, string(b)))
	if len(all) != 3 || all[0][0].Mode != "plan" || all[1][0].Mode != "apply" || all[2][0].Mode != "destroy" {
		t.Fatalf("want a plan, an apply and a destroy run, got %d runs", len(all))
	}
	apply := all[1]
	for _, stage := range []string{"preflight", "state", "registries", "stack.base", "stack.blue", "stack.join"} {
		if e := finished(apply, stage); e == nil || e.Outcome != events.OutcomeDone || e.Attempt != 1 {
			t.Errorf("%s: %+v", stage, e)
		}
	}
	if e := finished(apply, "stack.green"); e == nil || e.Outcome != events.OutcomeSkipped || e.Attempt != 0 {
		t.Errorf("an optional stack left out: %+v", e)
	}
	// Terraform's own progress, from its -json output.
	var resources []events.Resource
	for _, e := range apply {
		if e.Type == events.ResourceProgress && e.Stage == "stack.blue" && e.Resource != nil {
			resources = append(resources, *e.Resource)
		}
	}
	if len(resources) < 2 || resources[len(resources)-1] != (events.Resource{Address: "terraform_data.app", Action: "create", Phase: "complete", Done: 1, Total: 1}) {
		t.Errorf("blue's resource_progress: %+v", resources)
	}
	last := apply[len(apply)-1]
	if last.Outcome != events.OutcomeDone || last.RTO.Runs != 1 || last.RTO.FailedSeconds != 0 || last.RTO.IdleSeconds != 0 || last.CriticalPath == nil {
		t.Errorf("run_finished: %+v %+v", last, last.RTO)
	}
	if strings.Contains(string(b), sha256hex("core-token")) {
		t.Error("the sensitive token output is in the events")
	}
	md, _ := os.ReadFile(stepSummary)
	if strings.Count(string(md), "### tfrebuild apply") != 1 || !strings.Contains(string(md), "stack.base") || strings.Count(string(md), "### tfrebuild plan") != 1 {
		t.Errorf("step summary: plan and apply once each:\n%s", md)
	}
	st := tg.run("status")
	if !strings.Contains(st.Stdout, "no rebuild has started") {
		t.Errorf("after destroy the rebuild's clock should be over:\n%s", st.Stdout)
	}
}
