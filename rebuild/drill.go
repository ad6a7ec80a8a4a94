package rebuild

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/config"
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

// DrillConfirmations are the steps a drill treats as confirmed: those
// named on the command line and those with auto_confirm_in_drill. A name
// that is no step is an error.
func DrillConfirmations(cfg *config.Config, named []string) ([]string, error) {
	var out []string
	for _, n := range named {
		if findStep(cfg, n) == nil {
			return nil, fmt.Errorf("--confirm %s: there is no step %q in %s (steps: %s)", n, n, cfg.Filename, strings.Join(stepNames(cfg), ", "))
		}
		out = append(out, n)
	}
	for _, s := range cfg.Steps {
		if s.AutoConfirmInDrill {
			out = append(out, s.Name)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func stepNames(cfg *config.Config) []string {
	var names []string
	for _, s := range cfg.Steps {
		names = append(names, s.Name)
	}
	return names
}

// Existing lists what of the target already exists, read-only and behind
// the guard: the state bucket, stack states, a checkpoint that has applied
// something. A drill measures a rebuild from nothing, so it refuses a
// target that is not empty.
func Existing(ctx context.Context, cfg *config.Config, opts Common) ([]string, error) {
	deps := opts.Deps.wiredOrErr()
	var found []string
	store, err := deps.Store(ctx, cfg, false)
	if err != nil {
		return nil, err
	}
	if store != nil {
		c, err := store.Load(ctx)
		if err != nil {
			return nil, err
		}
		if c != nil && applied(c) {
			found = append(found, fmt.Sprintf("a checkpoint in %s with stages applied", cfg.StateDir()))
		}
	}
	conn, err := deps.Connect(ctx, cfg)
	if err != nil {
		return nil, err
	}
	c := &core{cfg: cfg, conn: conn}
	state, err := c.stateAccount()
	if err != nil {
		return nil, err
	}
	rep, err := dryRun{state.Cloud}.EnsureBucket(ctx, state.Account.ID, cfg.State, ownerOptions(cfg))
	if err != nil {
		return nil, err
	}
	if rep == nil || !slices.ContainsFunc(rep.Changes, func(c bootstrap.Change) bool { return c.Action == bootstrap.Create }) {
		found = append(found, "the state bucket s3://"+cfg.State.Bucket)
	}
	for _, st := range cfg.Stacks {
		b := c.backend(st)
		ok, err := c.stateExists(ctx, b)
		if err != nil {
			return nil, err
		}
		if ok {
			found = append(found, "the state of stack "+st.Name+" ("+b.Key+")")
		}
	}
	return found, nil
}
