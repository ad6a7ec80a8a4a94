package rebuild

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/config"
)

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
