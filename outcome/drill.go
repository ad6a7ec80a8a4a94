package outcome

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tfrebuild/tfrebuild/stages"
)

// DrillVerdict is the outcome of a drill: whether the rebuild completed,
// unattended, within the recovery time objective.
type DrillVerdict struct {
	Took   time.Duration
	RTO    time.Duration
	Passed bool
	// Reason says why a drill failed; empty when it passed.
	Reason string
}

// JudgeDrill measures a drill's rebuild (its summary and error) against
// the RTO. A rebuild that stopped at a manual step did not complete: the
// drill failed, and the reason names the steps and how to pre-confirm them.
func JudgeDrill(sum *Summary, rto time.Duration, applyErr error) DrillVerdict {
	v := DrillVerdict{RTO: rto, Passed: true}
	if sum != nil {
		v.Took = sum.Total
	}
	switch {
	case errors.Is(applyErr, stages.ErrWaiting):
		v.Passed, v.Reason = false, waitingReason(sum)
	case applyErr != nil:
		v.Passed, v.Reason = false, "the rebuild did not complete"
	case rto > 0 && v.Took > rto:
		v.Passed, v.Reason = false, "over the recovery time objective"
	case sum != nil && len(sum.OverRPO()) > 0:
		v.Passed, v.Reason = false, "restored data over the recovery point objective: "+strings.Join(sum.OverRPO(), "; ")
	case sum != nil && len(sum.Mismatched()) > 0:
		v.Passed, v.Reason = false, "restored data differs from its source: "+strings.Join(sum.Mismatched(), "; ")
	}
	return v
}

func waitingReason(sum *Summary) string {
	var names, flags []string
	if sum != nil {
		for _, s := range sum.Stages {
			if s.Status == stages.Waiting {
				names = append(names, s.Name)
				flags = append(flags, "--confirm "+stageTarget(s.Name))
			}
		}
	}
	if len(names) == 0 {
		return "the rebuild stopped at a manual step"
	}
	return fmt.Sprintf("the rebuild stopped at the manual step %s; a drill runs unattended: pre-confirm it with drill %s, or set auto_confirm_in_drill = true on the step",
		strings.Join(names, ", "), strings.Join(flags, " "))
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

// stageTarget is the name after a stage's kind: "handoff" for
// "step.handoff".
func stageTarget(stage string) string {
	_, name, _ := strings.Cut(stage, ".")
	return name
}
