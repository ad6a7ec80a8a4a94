package notify

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tfrebuild/tfrebuild/events"
)

func TestTrigger(t *testing.T) {
	t.Parallel()
	cases := []struct {
		e    events.Event
		want string
	}{
		{events.Event{Type: events.RunStarted}, OnStarted},
		{events.Event{Type: events.StageFinished, Outcome: events.OutcomeDone}, OnStageDone},
		{events.Event{Type: events.StageFinished, Outcome: events.OutcomeFailed}, OnFailed},
		{events.Event{Type: events.StageFinished, Outcome: events.OutcomeBlocked}, ""},
		{events.Event{Type: events.StageFinished, Outcome: events.OutcomeSkipped}, ""},
		{events.Event{Type: events.Waiting}, OnWaiting},
		{events.Event{Type: events.RunFinished, Outcome: events.OutcomeDone}, OnDone},
		{events.Event{Type: events.RunFinished, Outcome: events.OutcomeFailed}, OnFailed},
		{events.Event{Type: events.RunFinished, Outcome: events.OutcomeInterrupted}, OnFailed},
		{events.Event{Type: events.RunFinished, Outcome: events.OutcomeWaiting}, ""},
		{events.Event{Type: events.ResourceProgress}, ""},
		{events.Event{Type: events.StageNote}, ""},
		{events.Event{Type: events.DrillVerdict}, OnDrillVerdict},
	}
	for _, c := range cases {
		if got := Trigger(c.e); got != c.want {
			t.Errorf("Trigger(%s %s) = %q, want %q", c.e.Type, c.e.Outcome, got, c.want)
		}
	}
}

// Each `on` set gets exactly its events, in the order of the run, as the
// event JSON of --events.
func TestFiltersJSON(t *testing.T) {
	t.Parallel()
	type sent struct {
		typ   events.Type
		stage string
	}
	cases := []struct {
		on   []string
		want []sent
	}{
		{nil, []sent{{events.StageFinished, "stack.green"}, {events.Waiting, "step.handoff"}, {events.RunFinished, ""}}},
		{[]string{OnStarted}, []sent{{events.RunStarted, ""}}},
		{[]string{OnStageDone}, []sent{{events.StageFinished, "stack.blue"}}},
		{[]string{OnWaiting, OnDone}, []sent{{events.Waiting, "step.handoff"}, {events.RunFinished, ""}}},
		{Triggers, []sent{{events.RunStarted, ""}, {events.StageFinished, "stack.blue"}, {events.StageFinished, "stack.green"}, {events.Waiting, "step.handoff"}, {events.RunFinished, ""}}},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.on, ","), func(t *testing.T) {
			t.Parallel()
			rcv := newReceiver(t, http.StatusOK, "ok")
			w, err := New(Options{Name: "ops", URL: rcv.url(), On: c.on, Format: FormatJSON})
			if err != nil {
				t.Fatal(err)
			}
			rebuildEvents(w)
			if err := w.Close(); err != nil {
				t.Fatalf("Close = %v, want every notification delivered", err)
			}
			var got []sent
			for _, e := range rcv.events(t) {
				if e.Schema != events.SchemaVersion || e.Project != "shop" || e.RunID != "r2" {
					t.Errorf("notification lacks the stamped fields: %+v", e)
				}
				got = append(got, sent{e.Type, e.Stage})
			}
			if !slices.Equal(got, c.want) {
				t.Fatalf("sent %v, want %v", got, c.want)
			}
			for _, ct := range rcv.ctypes {
				if ct != "application/json" {
					t.Errorf("Content-Type %q", ct)
				}
			}
		})
	}
}

func TestSlackFormat(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, http.StatusOK, "ok")
	w, err := New(Options{Name: "ops", URL: rcv.url(), On: Triggers, Format: FormatSlack})
	if err != nil {
		t.Fatal(err)
	}
	rebuildEvents(w)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	texts := rcv.texts(t)
	if len(texts) != 5 {
		t.Fatalf("got %d messages, want 5: %q", len(texts), texts)
	}
	want := [][]string{
		{"*shop*", "apply started", "RTO target 2h"},
		{"stack.blue done in 2m0s", "RTO clock 2m0s of 2h"},
		{"stack.green failed after 3m0s", "RTO clock 3m0s of 2h", "> terraform apply: exit status 1"},
		{"step.handoff is waiting for a person", "Give the new API key", "`tfrebuild confirm handoff --config rebuild.hcl`"},
		{"apply done after 14m0s", "RTO clock 14m0s of 2h", "lost to failed attempts 3m0s", "Critical path: stack.blue 2m0s (40%) → stack.green 3m0s (60%)"},
	}
	for i, parts := range want {
		for _, p := range parts {
			if !strings.Contains(texts[i], p) {
				t.Errorf("message %d lacks %q:\n%s", i+1, p, texts[i])
			}
		}
	}
}

// A drill's verdict in Slack: passed or failed with why, its time against
// the RTO, and each restore's data age against the RPO.
func TestSlackDrillVerdict(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, http.StatusOK, "ok")
	w, err := New(Options{Name: "ops", URL: rcv.url(), On: []string{OnDrillVerdict}, Format: FormatSlack})
	if err != nil {
		t.Fatal(err)
	}
	age := int64(7200)
	w.Emit(events.Event{Type: events.DrillVerdict, Project: "shop", Mode: "drill", Verdict: &events.Verdict{Passed: true, TookSeconds: 300, RTOSeconds: 3600, RTOMet: true}})
	w.Emit(events.Event{Type: events.DrillVerdict, Project: "shop", Mode: "drill", Verdict: &events.Verdict{Passed: false, Reason: "restored data over the recovery point objective",
		TookSeconds: 300, Restores: []events.RestoreRPO{{Stage: "restore.orders", DataAgeSeconds: &age}}}})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	texts := rcv.texts(t)
	if len(texts) != 2 {
		t.Fatalf("got %d messages, want 2: %q", len(texts), texts)
	}
	for i, parts := range [][]string{
		{"drill PASSED in 5m0s", "(RTO 1h)"},
		{"drill FAILED after 5m0s: restored data over the recovery point objective", "restore.orders: data age 2h, OVER the RPO"},
	} {
		for _, p := range parts {
			if !strings.Contains(texts[i], p) {
				t.Errorf("message %d lacks %q:\n%s", i+1, p, texts[i])
			}
		}
	}
}

// A receiver that answers 500 is tried Attempts times, then given up on;
// the failure is recorded, named by the block, without the URL.
func TestServerErrorRetriesThenGivesUp(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, http.StatusInternalServerError, "upstream broke at /hooks/"+token)
	w, err := New(Options{Name: "ops", URL: rcv.url(), On: []string{OnDone}, Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	rebuildEvents(w)
	err = w.Close()
	var de *DeliveryError
	if !errors.As(err, &de) {
		t.Fatalf("Close = %v, want a DeliveryError", err)
	}
	if de.Attempts != 3 || de.Status != 500 || de.Notify != "ops" || de.Event != events.RunFinished {
		t.Fatalf("failure = %+v", de)
	}
	if n := rcv.requests.Load(); n != 3 {
		t.Fatalf("the receiver got %d requests, want 3", n)
	}
	msg := err.Error()
	if !strings.Contains(msg, "notification ops (run_finished): POST failed after 3 attempts: 500 Internal Server Error") {
		t.Fatalf("failure text = %q", msg)
	}
	assertNoURL(t, rcv, msg)
}

// A 4xx cannot be fixed by sending the same request again.
func TestClientErrorIsNotRetried(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, http.StatusBadRequest, "invalid_payload")
	w, err := New(Options{Name: "ops", URL: rcv.url(), On: []string{OnDone}, Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	rebuildEvents(w)
	err = w.Close()
	if n := rcv.requests.Load(); n != 1 {
		t.Fatalf("the receiver got %d requests, want 1", n)
	}
	if err == nil || !strings.Contains(err.Error(), "after 1 attempts: 400 Bad Request: invalid_payload") {
		t.Fatalf("Close = %v", err)
	}
}

func assertNoURL(t *testing.T, rcv *receiver, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(s, token) || strings.Contains(s, rcv.srv.URL) {
			t.Errorf("a failure text carries the webhook URL: %q", s)
		}
	}
}

// A secret the engine knows never reaches a receiver, in either format,
// even if it slipped into an event's text.
func TestNoSecretInPayloads(t *testing.T) {
	t.Parallel()
	const secret = "db-Pa55w0rd-7f3a"
	for _, format := range []string{FormatJSON, FormatSlack} {
		rcv := newReceiver(t, http.StatusOK, "ok")
		w, err := New(Options{Name: "ops", URL: rcv.url(), On: Triggers, Format: format})
		if err != nil {
			t.Fatal(err)
		}
		bus := events.NewBus("r1", "shop", "apply", w)
		bus.AddSecrets(secret)
		bus.Emit(events.Event{Type: events.StageFinished, Stage: "stack.db", Outcome: events.OutcomeFailed, Error: "password " + secret + " rejected"})
		bus.Emit(events.Event{Type: events.Waiting, Stage: "step.rotate", Message: "Rotate " + secret, Confirm: "tfrebuild confirm rotate"})
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		rcv.mu.Lock()
		for _, b := range rcv.bodies {
			if strings.Contains(string(b), secret) || !strings.Contains(string(b), events.Redacted) {
				t.Errorf("%s payload not redacted: %s", format, b)
			}
		}
		if len(rcv.bodies) != 2 {
			t.Errorf("%s: %d payloads, want 2", format, len(rcv.bodies))
		}
		rcv.mu.Unlock()
	}
}
