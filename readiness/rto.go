package readiness

import (
	"fmt"
	"time"
)

// CheckRTO predicts the rebuild's duration against rto. Until the
// history of rebuilds and drills exists (issue 27), there is nothing to
// predict from, and the check says so.
func CheckRTO(rto time.Duration) Check {
	c := Check{Name: "rto", Verdict: Warn,
		Found: "no history: no rebuild or drill durations are recorded, so the rebuild's time cannot be predicted",
		Do:    "tfrebuild drill --config rebuild.hcl"}
	if rto > 0 {
		c.Found += fmt.Sprintf(" (rto %s)", rto)
	}
	return c
}
