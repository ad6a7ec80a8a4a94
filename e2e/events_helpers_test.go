package e2e

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/tfrebuild/tfrebuild/events"
)

// receiver is a webhook endpoint that keeps what it is sent.
type receiver struct {
	mu     sync.Mutex
	bodies []string
	srv    *httptest.Server
}

// newReceiver answers status to every POST; 0 means it never answers
// (until the test ends).
func newReceiver(t *testing.T, status int) *receiver {
	r := &receiver{}
	hang := make(chan struct{})
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies = append(r.bodies, string(b))
		r.mu.Unlock()
		if status == 0 {
			select {
			case <-hang:
			case <-req.Context().Done():
			}
			return
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(func() { close(hang); r.srv.Close() })
	return r
}

func (r *receiver) all() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.bodies, "\n")
}

// readEvents reads an --events file.
func readEvents(t *testing.T, text string) []events.Event {
	t.Helper()
	var out []events.Event
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e events.Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("not one JSON object a line: %q: %v", sc.Text(), err)
		}
		if e.Schema != events.SchemaVersion || e.RunID == "" || e.Time.IsZero() {
			t.Errorf("event without schema, run or time: %s", sc.Text())
		}
		out = append(out, e)
	}
	return out
}

// runs splits a stream into its runs, checking that each starts with
// run_started, ends with run_finished (a drill's rebuild run then with its
// drill_verdict), with the clock unless it is a teardown, and that every
// stage that finished after running started first, with the same attempt.
func runs(t *testing.T, evs []events.Event) [][]events.Event {
	t.Helper()
	var out [][]events.Event
	for _, e := range evs {
		if e.Type == events.RunStarted {
			out = append(out, nil)
		}
		if len(out) == 0 {
			t.Fatalf("an event before run_started: %+v", e)
		}
		out[len(out)-1] = append(out[len(out)-1], e)
	}
	for _, run := range out {
		last := run[len(run)-1]
		if last.Type == events.DrillVerdict && len(run) > 1 {
			last = run[len(run)-2]
		}
		if last.Type != events.RunFinished || (last.RTO == nil) == (last.Mode != "destroy" && last.Rebuild == nil) {
			t.Errorf("a run does not end with run_finished, with the clock (or, a teardown, the rebuild): %+v", last)
		}
		started := map[string]int{}
		for _, e := range run {
			switch {
			case e.Type == events.StageStarted:
				started[e.Stage] = e.Attempt
			case e.Type == events.StageFinished && e.Outcome != events.OutcomeBlocked && e.Outcome != events.OutcomeSkipped:
				if a, ok := started[e.Stage]; !ok || a != e.Attempt || a == 0 {
					t.Errorf("%s finished (attempt %d) without starting (%v)", e.Stage, e.Attempt, started)
				}
			}
		}
	}
	return out
}

func finished(run []events.Event, stage string) *events.Event {
	for i := range run {
		if run[i].Type == events.StageFinished && run[i].Stage == stage {
			return &run[i]
		}
	}
	return nil
}
