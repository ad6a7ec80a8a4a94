package rebuild

import (
	"fmt"
	"strings"
	"time"
)

// DrillVerdict is the outcome of a drill: whether the rebuild completed
// within the recovery time objective.
type DrillVerdict struct {
	Took   time.Duration
	RTO    time.Duration
	Passed bool
	// Reason says why a drill failed; empty when it passed.
	Reason string
}

// JudgeDrill measures a drill's rebuild (its summary and error) against
// the RTO.
func JudgeDrill(sum *Summary, rto time.Duration, applyErr error) DrillVerdict {
	v := DrillVerdict{RTO: rto, Passed: true}
	if sum != nil {
		v.Took = sum.Total
	}
	switch {
	case applyErr != nil:
		v.Passed, v.Reason = false, "the rebuild did not complete"
	case rto > 0 && v.Took > rto:
		v.Passed, v.Reason = false, "over the recovery time objective"
	case sum != nil && len(sum.OverRPO()) > 0:
		v.Passed, v.Reason = false, "restored data over the recovery point objective: "+strings.Join(sum.OverRPO(), "; ")
	}
	return v
}

// String is "PASSED" or "FAILED: REASON".
func (v DrillVerdict) String() string {
	if v.Passed {
		return "PASSED"
	}
	return "FAILED: " + v.Reason
}

// Err is nil for a passed drill, else an error naming the verdict.
func (v DrillVerdict) Err() error {
	if v.Passed {
		return nil
	}
	return fmt.Errorf("drill %s", v)
}
