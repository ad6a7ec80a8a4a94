package notify

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/tfrebuild/tfrebuild/events"
)

// rtoClock is what a webhook learned of the rebuild's clock from earlier
// events (run_started carries it), so that a stage's notification can say
// where the clock stands even when the stage's event does not carry it.
type rtoClock struct {
	target  time.Duration
	started time.Time
}

func (c *rtoClock) observe(e events.Event) {
	if e.RTO == nil {
		return
	}
	c.target = seconds(e.RTO.TargetSeconds)
	if !e.RTO.RebuildStarted.IsZero() {
		c.started = e.RTO.RebuildStarted
	}
}

// at is the clock at e: its own figures when it has them, else the time
// since the rebuild began.
func (c rtoClock) at(e events.Event) (elapsed, target time.Duration, ok bool) {
	if e.RTO != nil && e.RTO.ElapsedSeconds > 0 {
		return seconds(e.RTO.ElapsedSeconds), seconds(e.RTO.TargetSeconds), true
	}
	if c.started.IsZero() || e.Time.IsZero() {
		return 0, c.target, false
	}
	return e.Time.Sub(c.started), c.target, true
}

// slackPayload is a Slack incoming-webhook message: {"text": ...} in
// Slack's mrkdwn, one line of what happened and then the detail.
func slackPayload(e events.Event, c rtoClock) ([]byte, error) {
	return json.Marshal(map[string]string{"text": slackText(e, c)})
}

func slackText(e events.Event, c rtoClock) string {
	who := "*" + esc(orDash(e.Project)) + "*"
	mode := orDash(e.Mode)
	var b strings.Builder
	switch e.Type {
	case events.RunStarted:
		fmt.Fprintf(&b, ":arrow_forward: %s: %s started (run %s)", who, mode, esc(e.RunID))
		if e.RTO != nil && e.RTO.Runs > 1 {
			fmt.Fprintf(&b, ", resuming the rebuild (run %d of it)", e.RTO.Runs)
		}
		b.WriteString(clockText(e, c))
	case events.StageFinished:
		icon, verb := ":white_check_mark:", "done in"
		if e.Outcome == events.OutcomeFailed {
			icon, verb = ":x:", "failed after"
		}
		fmt.Fprintf(&b, "%s %s: %s %s %s", icon, who, esc(e.Stage), verb, human(seconds(e.DurationSeconds)))
		if e.Attempt > 1 {
			fmt.Fprintf(&b, " (attempt %d)", e.Attempt)
		}
		b.WriteString(clockText(e, c))
		quote(&b, e.Error)
	case events.Waiting:
		fmt.Fprintf(&b, ":raised_hand: %s: %s is waiting for a person", who, esc(e.Stage))
		b.WriteString(clockText(e, c))
		quote(&b, e.Message)
		if e.Confirm != "" {
			fmt.Fprintf(&b, "\nWhen it is done, run:\n`%s`", esc(e.Confirm))
		}
	case events.RunFinished:
		runFinishedText(&b, who, mode, e, c)
	case events.ReadinessFailed:
		fmt.Fprintf(&b, ":rotating_light: %s: not ready to recover: %s", who, esc(e.Message))
		quote(&b, e.Error)
	case events.DrillVerdict:
		verdictText(&b, who, e.Verdict)
	default:
		fmt.Fprintf(&b, "%s: %s %s %s", who, esc(string(e.Type)), esc(e.Stage), esc(e.Message))
	}
	return b.String()
}

func runFinishedText(b *strings.Builder, who, mode string, e events.Event, c rtoClock) {
	switch e.Outcome {
	case events.OutcomeDone:
		fmt.Fprintf(b, ":tada: %s: %s done", who, mode)
	case events.OutcomeInterrupted:
		fmt.Fprintf(b, ":double_vertical_bar: %s: %s interrupted; run it again to resume", who, mode)
	default:
		fmt.Fprintf(b, ":x: %s: %s %s", who, mode, esc(string(e.Outcome)))
	}
	if e.DurationSeconds > 0 {
		fmt.Fprintf(b, " after %s", human(seconds(e.DurationSeconds)))
	}
	b.WriteString(clockText(e, c))
	if r := e.RTO; r != nil && r.ElapsedSeconds > 0 {
		fmt.Fprintf(b, "\nRTO clock: working %s, waiting for people %s, lost to failed attempts %s, idle between attempts %s",
			human(seconds(r.WorkingSeconds)), human(seconds(r.WaitingSeconds)), human(seconds(r.FailedSeconds)), human(seconds(r.IdleSeconds)))
	}
	if cp := e.CriticalPath; cp != nil && len(cp.Stages) > 0 {
		parts := make([]string, len(cp.Stages))
		for i, s := range cp.Stages {
			parts[i] = fmt.Sprintf("%s %s (%.0f%%)", esc(s.Stage), human(seconds(s.Seconds)), 100*s.Share)
		}
		fmt.Fprintf(b, "\nCritical path: %s", strings.Join(parts, " → "))
	}
	quote(b, e.Error)
}

// clockText is ", RTO clock 14m of 2h" (or "… OVER …"), "" when unknown.
func clockText(e events.Event, c rtoClock) string {
	elapsed, target, ok := c.at(e)
	switch {
	case (!ok || elapsed < time.Second) && target > 0:
		return fmt.Sprintf(", RTO target %s", human(target))
	case !ok:
		return ""
	case target <= 0:
		return fmt.Sprintf(", rebuild clock %s", human(elapsed))
	case elapsed > target:
		return fmt.Sprintf(", RTO clock %s: OVER the %s target", human(elapsed), human(target))
	default:
		return fmt.Sprintf(", RTO clock %s of %s", human(elapsed), human(target))
	}
}

// quote adds text as a Slack block quote, cut short: a Terraform error
// can run to pages, and the full text is in the run's log.
func quote(b *strings.Builder, text string) {
	text = strings.TrimSpace(text)
	if text == "" {
		return
	}
	const limit = 1500
	if len(text) > limit {
		text = strings.ToValidUTF8(text[:limit], "") + " …"
	}
	b.WriteString("\n> " + strings.ReplaceAll(esc(text), "\n", "\n> "))
}

// esc escapes the three characters Slack's mrkdwn reserves.
func esc(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// human prints a duration the way a person reads it: 45s, 14m3s, 1h12m.
func human(d time.Duration) string {
	switch {
	case d < time.Second:
		return d.Round(100 * time.Millisecond).String()
	case d < time.Hour:
		return d.Round(time.Second).String()
	}
	d = d.Round(time.Minute)
	h, m := d/time.Hour, (d%time.Hour)/time.Minute
	if m == 0 {
		return fmt.Sprintf("%dh", h)
	}
	return fmt.Sprintf("%dh%dm", h, m)
}

// verdictText is a drill's verdict: passed or failed with why, its time
// against the RTO, and each restore's recovery point against the RPO.
func verdictText(b *strings.Builder, who string, v *events.Verdict) {
	if v == nil {
		fmt.Fprintf(b, "%s: drill verdict unknown", who)
		return
	}
	if v.Passed {
		fmt.Fprintf(b, ":white_check_mark: %s: drill PASSED in %s", who, human(seconds(v.TookSeconds)))
	} else {
		fmt.Fprintf(b, ":x: %s: drill FAILED after %s: %s", who, human(seconds(v.TookSeconds)), esc(v.Reason))
	}
	if v.RTOSeconds > 0 {
		fmt.Fprintf(b, " (RTO %s)", human(seconds(v.RTOSeconds)))
	}
	for _, r := range v.Restores {
		state := "within RPO"
		if !r.RPOMet {
			state = "OVER the RPO"
		}
		age := "data age unknown"
		if r.DataAgeSeconds != nil {
			age = "data age " + human(seconds(float64(*r.DataAgeSeconds)))
		}
		fmt.Fprintf(b, "\n%s: %s, %s", esc(r.Stage), age, state)
	}
}
