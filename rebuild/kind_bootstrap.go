package rebuild

import (
	"context"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/stages"
)

// stateKind is the state bucket and lock table; registriesKind the
// container registries. Apply converges them, plan reports what apply
// would do, destroy deletes what tfrebuild created.
type (
	stateKind      struct{}
	registriesKind struct{}
)

func (stateKind) apply(ctx context.Context, a *applier, s *stages.Stage) error {
	a.warmUp(a.prevDone[s.Name])
	if err := ensureState(ctx, a.core, a.conn.Cloud, s.Name, a.bootstrapOptions(s.Name)); err != nil {
		return err
	}
	a.initAhead()
	return nil
}

func (stateKind) plan(ctx context.Context, p *planner, s *stages.Stage) error {
	return ensureState(ctx, p.core, dryRun{p.conn.Cloud}, s.Name, p.bootstrapOptions())
}

func (stateKind) destroy(ctx context.Context, d *destroyer, s *stages.Stage) error {
	st := d.cfg.State
	if d.cfg.Checkpoint.Store == "dynamodb" {
		// The checkpoint and this run's lock live in the table.
		d.note(s.Name, "lock table "+st.LockTable+" kept: it holds the checkpoint (checkpoint { store = \"dynamodb\" })")
		st.LockTable = ""
	}
	rep, err := d.conn.Cloud.DeleteState(ctx, d.cfg.Target.AccountID, st, bootstrap.Options{Project: d.cfg.Project})
	return d.teardown(s.Name, rep, err)
}

func (registriesKind) apply(ctx context.Context, a *applier, s *stages.Stage) error {
	return ensureRegistries(ctx, a.core, a.conn.Cloud, s.Name, a.bootstrapOptions(s.Name))
}

func (registriesKind) plan(ctx context.Context, p *planner, s *stages.Stage) error {
	return ensureRegistries(ctx, p.core, dryRun{p.conn.Cloud}, s.Name, p.bootstrapOptions())
}

func (registriesKind) destroy(ctx context.Context, d *destroyer, s *stages.Stage) error {
	rep, err := d.conn.Cloud.DeleteRegistries(ctx, d.cfg.Registries, bootstrap.Options{Project: d.cfg.Project})
	return d.teardown(s.Name, rep, err)
}

func ensureState(ctx context.Context, c *core, cv converger, stage string, opts bootstrap.Options) error {
	c.clearNotes(stage)
	rep, err := cv.EnsureBucket(ctx, c.cfg.Target.AccountID, c.cfg.State, opts)
	c.report(stage, rep)
	if err != nil || c.cfg.State.LockTable == "" {
		return err
	}
	rep, err = cv.EnsureLockTable(ctx, c.cfg.State.LockTable, opts)
	c.report(stage, rep)
	return err
}

func ensureRegistries(ctx context.Context, c *core, cv converger, stage string, opts bootstrap.Options) error {
	c.clearNotes(stage)
	rep, err := cv.EnsureRegistries(ctx, c.cfg.Registries, opts)
	c.report(stage, rep)
	return err
}

// report notes what a bootstrap step found and did; drift becomes a
// finding of the stage, and, for a plan, an action.
func (c *core) report(stage string, rep *bootstrap.Report) {
	if rep == nil {
		return
	}
	if c.onReport != nil {
		c.onReport(stage, rep)
	}
	for _, ch := range rep.Changes {
		msg := ch.String()
		if ch.Action != bootstrap.Drift {
			c.note(stage, msg)
			continue
		}
		f := checkpoint.Finding{Kind: checkpoint.Drift, Address: ch.Resource, Message: ch.Detail}
		c.find(stage, f, msg+" (left as it is; apply --repair-state fixes it)")
	}
}

// converger is the bootstrap calls that check and create the state and
// the registries.
type converger interface {
	EnsureBucket(ctx context.Context, account string, st config.State, opts bootstrap.Options) (*bootstrap.Report, error)
	EnsureLockTable(ctx context.Context, table string, opts bootstrap.Options) (*bootstrap.Report, error)
	EnsureRegistries(ctx context.Context, regs []*config.Registry, opts bootstrap.Options) (*bootstrap.Report, error)
}

// dryRun is the planner's view of the bootstrap: every call is a dry run,
// whatever the options say, and there is no delete. A plan is read-only
// by construction, not by remembering a flag.
type dryRun struct{ c Cloud }

func (d dryRun) EnsureBucket(ctx context.Context, account string, st config.State, opts bootstrap.Options) (*bootstrap.Report, error) {
	opts.DryRun, opts.Repair = true, false
	return d.c.EnsureBucket(ctx, account, st, opts)
}

func (d dryRun) EnsureLockTable(ctx context.Context, table string, opts bootstrap.Options) (*bootstrap.Report, error) {
	opts.DryRun, opts.Repair = true, false
	return d.c.EnsureLockTable(ctx, table, opts)
}

func (d dryRun) EnsureRegistries(ctx context.Context, regs []*config.Registry, opts bootstrap.Options) (*bootstrap.Report, error) {
	opts.DryRun, opts.Repair = true, false
	return d.c.EnsureRegistries(ctx, regs, opts)
}
