package notify

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tfrebuild/tfrebuild/events"
)

// token is the secret part of the test webhooks' URLs.
const token = "T0KEN-b7c1e9-SECRET"

// receiver is a local webhook endpoint that records what it is sent.
type receiver struct {
	srv      *httptest.Server
	mu       sync.Mutex
	bodies   [][]byte
	ctypes   []string
	requests atomic.Int32
	// arrived gets a value as each request reaches a hung receiver.
	arrived chan struct{}
}

// newReceiver answers every POST with status and body.
func newReceiver(t *testing.T, status int, body string) *receiver {
	t.Helper()
	r := &receiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.requests.Add(1)
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies = append(r.bodies, b)
		r.ctypes = append(r.ctypes, req.Header.Get("Content-Type"))
		r.mu.Unlock()
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// hungReceiver never answers; the handler returns only when the client
// gives up on the request or the test ends.
func hungReceiver(t *testing.T) *receiver {
	t.Helper()
	r := &receiver{arrived: make(chan struct{}, 64)}
	release := make(chan struct{})
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.requests.Add(1)
		r.arrived <- struct{}{}
		select {
		case <-req.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(func() { close(release); r.srv.Close() })
	return r
}

func (r *receiver) url() string { return r.srv.URL + "/hooks/" + token }

func (r *receiver) events(t *testing.T) []events.Event {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []events.Event
	for _, b := range r.bodies {
		var e events.Event
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatalf("a json notification is not an event: %v\n%s", err, b)
		}
		out = append(out, e)
	}
	return out
}

func (r *receiver) texts(t *testing.T) []string {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, b := range r.bodies {
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil || m["text"] == "" {
			t.Fatalf("a slack notification is not {\"text\": ...}: %v\n%s", err, b)
		}
		out = append(out, m["text"])
	}
	return out
}

// rebuildEvents is a rebuild that fails a stage, waits on a step and
// ends, as the engine emits it through a bus.
func rebuildEvents(sinks ...events.Sink) {
	start := time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)
	bus := events.NewBus("r2", "shop", "apply", sinks...)
	at := func(min int) time.Time { return start.Add(time.Duration(min) * time.Minute) }
	bus.Emit(events.Event{Type: events.RunStarted, Time: at(0), RTO: &events.RTO{TargetSeconds: 7200, RebuildStarted: start, Runs: 1}})
	bus.Emit(events.Event{Type: events.StageStarted, Time: at(0), Stage: "stack.blue", Attempt: 1})
	bus.Emit(events.Event{Type: events.ResourceProgress, Time: at(1), Stage: "stack.blue", Resource: &events.Resource{Address: "terraform_data.a", Phase: "complete", Done: 1, Total: 2}})
	bus.Emit(events.Event{Type: events.StageFinished, Time: at(2), Stage: "stack.blue", Outcome: events.OutcomeDone, Duration: 2 * time.Minute, Attempt: 1})
	bus.Emit(events.Event{Type: events.StageFinished, Time: at(3), Stage: "stack.green", Outcome: events.OutcomeFailed, Duration: 3 * time.Minute, Error: "terraform apply: exit status 1"})
	bus.Emit(events.Event{Type: events.StageFinished, Time: at(3), Stage: "stack.link", Outcome: events.OutcomeBlocked})
	bus.Emit(events.Event{Type: events.StageNote, Time: at(3), Stage: "stack.link", Message: "blocked by stack.green"})
	bus.Emit(events.Event{Type: events.Waiting, Time: at(14), Stage: "step.handoff", Message: "Give the new API key to the partner team.",
		Confirm: "tfrebuild confirm handoff --config rebuild.hcl"})
	bus.Emit(events.Event{Type: events.RunFinished, Time: at(14), Outcome: events.OutcomeDone, Duration: 14 * time.Minute,
		RTO:          &events.RTO{TargetSeconds: 7200, ElapsedSeconds: 840, RebuildStarted: start, WorkingSeconds: 600, FailedSeconds: 180, IdleSeconds: 60, Met: true, Runs: 1},
		CriticalPath: &events.CriticalPath{Seconds: 300, Stages: []events.PathStage{{Stage: "stack.blue", Seconds: 120, Share: 0.4}, {Stage: "stack.green", Seconds: 180, Share: 0.6}}}})
}
