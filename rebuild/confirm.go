package rebuild

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/stages"
)

// ConfirmOptions steer Confirm.
type ConfirmOptions struct {
	Step string
	By   string
	Now  time.Time
	Deps Deps
}

// Confirm records that a person did a manual step. next is the command
// that continues the rebuild (its config and scope, as recorded).
func Confirm(ctx context.Context, cfg *config.Config, opts ConfirmOptions) (next string, err error) {
	if findStep(cfg, opts.Step) == nil {
		var names []string
		for _, s := range cfg.Steps {
			names = append(names, s.Name)
		}
		return "", fmt.Errorf("there is no step %q in %s (steps: %s)", opts.Step, cfg.Filename, strings.Join(names, ", "))
	}
	store, err := opts.Deps.wiredOrErr().Store(ctx, cfg, false)
	if err != nil {
		return "", err
	}
	if store != nil {
		c, err := store.Load(ctx)
		if err != nil {
			return "", err
		}
		if c == nil {
			store = nil
		}
	}
	if store == nil {
		return "", fmt.Errorf("no rebuild has started for this target; start it with:\n  %s", ApplyCommand(cfg.Filename, Scope{}))
	}
	// The running apply rewrites the checkpoint from memory: confirm
	// between runs, never under one.
	lock, _, err := store.Lock(ctx, me("confirm"))
	if err != nil {
		return "", fmt.Errorf("%w (confirm once it has stopped at the step)", err)
	}
	defer releaseRunLock(ctx, lock, &err)
	// The target's run lease too: a run of another checkout or machine
	// may be driving it.
	lc := newCore(cfg, &stages.Pipeline{}, Common{Deps: opts.Deps}, "confirm", "work")
	if lc.conn, err = lc.deps.Connect(ctx, cfg); err != nil {
		return "", err
	}
	if err := lc.holdLease(ctx, "step."+opts.Step, false); err != nil {
		return "", fmt.Errorf("%w (confirm once it has stopped at the step)", err)
	}
	if err := lc.verifyLease(ctx); err != nil {
		return "", err
	}
	c, err := store.Load(ctx)
	if err != nil {
		return "", err
	}
	rec := c.Stage("step." + opts.Step)
	t := opts.Now.UTC()
	if opts.Now.IsZero() {
		t = time.Now().UTC()
	}
	rec.ConfirmedBy, rec.ConfirmedAt = opts.By, &t
	c.UpdatedAt = t
	return ApplyCommand(cfg.Filename, scopeOf(c)), lc.endLease(ctx, store.Save(ctx, c))
}
