package readiness

import (
	"fmt"
	"strings"
	"time"

	"github.com/tfrebuild/tfrebuild/history"
	"github.com/tfrebuild/tfrebuild/internal/cmdline"
)

// CheckRTO judges the RTO the history predicts for a rebuild now (the
// critical path over the median stage times of the newest rebuilds and
// drills) against rto. No history, or a history that cannot be read,
// warns: there is nothing to predict from.
func CheckRTO(configFile string, rto time.Duration, pred history.Prediction, err error) Check {
	c := Check{Name: "rto", Verdict: Warn}
	switch {
	case err != nil:
		c.Found, c.Do = fmt.Sprintf("no history: it cannot be read: %v", err), cmdline.Tfrebuild("report", configFile, nil, "--history", "--markdown", "history.md")
		return c
	case pred.Runs == 0:
		c.Found = "no history: no rebuild or drill durations are recorded, so the rebuild's time cannot be predicted"
		c.Do = cmdline.Tfrebuild("drill", configFile, nil)
		return c
	}
	took := time.Duration(pred.Seconds * float64(time.Second)).Round(time.Second)
	c.Found = fmt.Sprintf("predicted RTO %s from %d runs (critical path %s)", took, pred.Runs, strings.Join(pred.Path, " → "))
	if len(pred.Unmeasured) > 0 {
		c.Found += fmt.Sprintf("; %s never measured, counted as 0", strings.Join(pred.Unmeasured, ", "))
	}
	switch {
	case rto == 0:
		c.Found += "; no rto is set"
		c.Do = "set rto = \"2h\" (or your objective) in rebuild.hcl"
	case took > rto:
		c.Verdict = Fail
		c.Found += fmt.Sprintf(": OVER the rto %s", rto)
		c.Do = "shorten the critical path (" + cmdline.Tfrebuild("report", configFile, nil, "--history", "--markdown", "history.md") + " shows which stages grew), or agree a longer rto"
	case len(pred.Unmeasured) == 0:
		c.Verdict = OK
		c.Found += fmt.Sprintf(": within the rto %s", rto)
	default:
		c.Found += fmt.Sprintf(": within the rto %s so far", rto)
		c.Do = cmdline.Tfrebuild("drill", configFile, nil) + " (measures every stage)"
	}
	return c
}
