package notify

import (
	"slices"
	"strings"
	"testing"

	"github.com/tfrebuild/tfrebuild/events"
)

// readiness_failed is its own trigger, on by default, and reads as a
// Slack line naming the failing checks.
func TestReadinessFailedTrigger(t *testing.T) {
	t.Parallel()
	e := events.Event{Type: events.ReadinessFailed, Project: "shop", Mode: "readiness", Message: "failing checks: restore.orders"}
	if Trigger(e) != OnReadinessFailed || !slices.Contains(DefaultOn, OnReadinessFailed) || !slices.Contains(Triggers, OnReadinessFailed) {
		t.Fatalf("trigger %q, defaults %v", Trigger(e), DefaultOn)
	}
	if got := slackText(e, rtoClock{}); !strings.Contains(got, "not ready to recover") || !strings.Contains(got, "restore.orders") {
		t.Errorf("slack: %s", got)
	}
}
