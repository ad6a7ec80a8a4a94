package notify

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tfrebuild/tfrebuild/events"
)

// A receiver that never answers costs each attempt its timeout; the
// delivery is then given up and recorded.
func TestHungReceiverTimesOut(t *testing.T) {
	t.Parallel()
	rcv := hungReceiver(t)
	w, err := New(Options{Name: "ops", URL: rcv.url(), On: []string{OnDone}, Timeout: 20 * time.Millisecond, Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	rebuildEvents(w)
	err = w.Close()
	var de *DeliveryError
	if !errors.As(err, &de) || de.Attempts != 3 || de.Status != 0 || de.Reason != "no answer within 20ms" {
		t.Fatalf("Close = %v (%+v), want 3 timed-out attempts", err, de)
	}
	// An attempt may time out before its request reaches the handler on
	// a loaded machine, so only an upper bound holds.
	if n := rcv.requests.Load(); n > 3 {
		t.Fatalf("the receiver got %d requests, want at most 3", n)
	}
	assertNoURL(t, rcv, err.Error())
}

// With a timeout far longer than the drain time, only the drain bounds
// Close: it returns while the receiver still holds the request (the
// receiver is released only when the test ends), and every notification
// it could not deliver is reported.
func TestCloseIsBoundedByTheDrain(t *testing.T) {
	t.Parallel()
	rcv := hungReceiver(t)
	w, err := New(Options{Name: "ops", URL: rcv.url(), On: Triggers, Timeout: time.Hour, Drain: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	rebuildEvents(w)
	<-rcv.arrived // the first notification is in flight, held by the receiver
	err = w.Close()
	fails := w.Failures()
	if len(fails) != 5 {
		t.Fatalf("want the 5 notifications reported undelivered, got %d: %v", len(fails), err)
	}
	if !strings.Contains(fails[0].Error(), "notification ops (run_started): POST failed after 1 attempts: cancelled when the run ended") {
		t.Errorf("the in-flight one: %v", fails[0])
	}
	if !strings.Contains(fails[4].Error(), "notification ops (run_finished): not sent: gave up when the run ended") {
		t.Errorf("a queued one: %v", fails[4])
	}
	assertNoURL(t, rcv, err.Error())
	if w.Close() == nil {
		t.Error("a second Close lost the failures")
	}
}

// Emit never blocks: with the queue full, notifications are dropped and
// the drops reported.
func TestFullQueueDropsWithoutBlocking(t *testing.T) {
	t.Parallel()
	rcv := hungReceiver(t)
	w, err := New(Options{Name: "ops", URL: rcv.url(), On: Triggers, Timeout: time.Hour, Drain: 10 * time.Millisecond, Queue: 1})
	if err != nil {
		t.Fatal(err)
	}
	rebuildEvents(w) // 5 notifications: at most one in flight and one queued
	dropped := 0
	for _, f := range w.Failures() {
		if strings.Contains(f.Error(), "not sent: 1 notifications were already waiting") {
			dropped++
		}
	}
	if dropped < 3 {
		t.Fatalf("want at least 3 drops reported, got %d: %v", dropped, w.Failures())
	}
	if err := w.Close(); err == nil {
		t.Fatal("Close reported nothing")
	}
}

// net/http quotes the URL in its errors ("Post \"http://…\": EOF"). The
// receiver here hangs up without answering. (A closed port would do too,
// but another test's server may take it meanwhile.)
func TestBrokenConnectionErrorHasNoURL(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	defer srv.Close()
	url := srv.URL + "/hooks/" + token + "?key=" + token
	w, err := New(Options{Name: "ops", URL: url, On: []string{OnDone}, Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	rebuildEvents(w)
	err = w.Close()
	var de *DeliveryError
	if !errors.As(err, &de) || de.Attempts != 3 || de.Status != 0 || de.Reason == "" {
		t.Fatalf("Close = %v, want 3 attempts without an answer", err)
	}
	if strings.Contains(err.Error(), token) || strings.Contains(err.Error(), srv.URL) {
		t.Fatalf("the URL leaked: %v", err)
	}
}

func TestScrubURL(t *testing.T) {
	t.Parallel()
	raw := "https://bot:pa55word@hooks.example.com/services/T0/B0/" + token + "?sig=abcdef123"
	in := `Post "` + raw + `": EOF; path /services/T0/B0/` + token + `; sig=abcdef123; user bot:pa55word`
	got := scrubURL(in, raw)
	for _, leak := range []string{token, "abcdef123", "pa55word", raw} {
		if strings.Contains(got, leak) {
			t.Errorf("%q survived: %s", leak, got)
		}
	}
}

func TestOptionsValidation(t *testing.T) {
	t.Parallel()
	secretURL := "ftp://hooks.example.com/" + token
	_, err := New(Options{Name: "ops", URL: secretURL, On: []string{"finished"}, Format: "teams"})
	if err == nil {
		t.Fatal("bad options accepted")
	}
	for _, want := range []string{`notify "ops": url is not an http or https URL`, `unknown trigger "finished"`, `unknown format "teams"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if strings.Contains(err.Error(), token) {
		t.Errorf("the URL leaked into a validation error: %v", err)
	}
	if _, err := New(Options{Name: "ops"}); err == nil || !strings.Contains(err.Error(), "url is empty") {
		t.Errorf("an empty URL: %v", err)
	}
}

// One bad receiver does not spoil the others, and its failures are the
// only ones reported.
func TestSet(t *testing.T) {
	t.Parallel()
	good, bad := newReceiver(t, http.StatusOK, "ok"), newReceiver(t, http.StatusServiceUnavailable, "")
	set, err := NewSet(
		Options{Name: "ops", URL: good.url(), On: []string{OnDone}},
		Options{Name: "pager", URL: bad.url(), On: []string{OnFailed}, Backoff: time.Millisecond},
	)
	if err != nil {
		t.Fatal(err)
	}
	rebuildEvents(set)
	err = set.Close()
	if got := good.events(t); len(got) != 1 || got[0].Type != events.RunFinished {
		t.Fatalf("ops got %v", got)
	}
	if n := len(set.Failures()); n != 1 || !strings.Contains(err.Error(), "notification pager (stage_finished stack.green): POST failed after 3 attempts: 503") {
		t.Fatalf("Close = %v (%d failures)", err, n)
	}
	if _, err := NewSet(Options{Name: "a", URL: good.url()}, Options{Name: "b", URL: "nope"}); err == nil || !strings.Contains(err.Error(), `notify "b"`) {
		t.Fatalf("an invalid block: %v", err)
	}
	var none *Set
	none.Emit(events.Event{Type: events.RunStarted})
	if none.Close() != nil || none.Failures() != nil {
		t.Fatal("a nil set did something")
	}
}
