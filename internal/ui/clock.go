package ui

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tfrebuild/tfrebuild/events"
)

// secs is a duration in seconds as a person reads it: to a tenth of a
// second, or a hundredth below ten seconds.
func secs(f float64) time.Duration {
	d := time.Duration(f * float64(time.Second))
	if d < 10*time.Second {
		return d.Round(10 * time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}

// writeClock prints the RTO clock's breakdown: where the rebuild's
// elapsed time went.
func writeClock(w io.Writer, indent string, r *events.RTO) {
	if r == nil || r.RebuildStarted.IsZero() {
		return
	}
	runs := "1 run"
	if r.Runs != 1 {
		runs = fmt.Sprintf("%d runs", r.Runs)
	}
	fmt.Fprintf(w, "%sworking %s · waiting for a person %s · lost to failed attempts %s · idle between runs %s (%s since %s)\n",
		indent, secs(r.WorkingSeconds), secs(r.WaitingSeconds), secs(r.FailedSeconds), secs(r.IdleSeconds),
		runs, r.RebuildStarted.UTC().Format(time.RFC3339))
}

// writePath prints the critical path and the slack of the other stages.
func writePath(w io.Writer, indent string, cp *events.CriticalPath) {
	if cp == nil || len(cp.Stages) == 0 {
		return
	}
	var parts []string
	for _, s := range cp.Stages {
		parts = append(parts, fmt.Sprintf("%s %s (%.0f%%)", s.Stage, secs(s.Seconds), 100*s.Share))
	}
	fmt.Fprintf(w, "%scritical path %s: %s\n", indent, secs(cp.Seconds), strings.Join(parts, " → "))
	if len(cp.Slack) == 0 {
		return
	}
	parts = parts[:0]
	for _, s := range cp.Slack {
		parts = append(parts, fmt.Sprintf("%s %s", s.Stage, secs(s.SlackSeconds)))
	}
	fmt.Fprintf(w, "%sslack (how much longer each could take without delaying the rebuild): %s\n", indent, strings.Join(parts, ", "))
}
