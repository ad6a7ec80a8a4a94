package notify

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
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
