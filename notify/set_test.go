package notify

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tfrebuild/tfrebuild/events"
)

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
