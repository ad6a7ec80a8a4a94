package rebuild

import (
	"context"
	"errors"
	"fmt"

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
	a.warmUp(a.builtBefore[s.Name])
	a.bucketReady = a.initAhead
	a.planLocksAhead()
	// The run lease before any write when the backend exists; else right
	// after the first bootstrap made it, before the registries and stacks.
	if err := a.holdLease(ctx, s.Name, false); err != nil {
		return err
	}
	if err := ensureState(ctx, a.core, false, s.Name, a.bootstrapOptions(s.Name)); err != nil {
		return err
	}
	if err := a.holdLease(ctx, s.Name, true); err != nil {
		return err
	}
	a.initAhead()
	return nil
}

func (stateKind) plan(ctx context.Context, p *planner, s *stages.Stage) error {
	return ensureState(ctx, p.core, true, s.Name, p.bootstrapOptions())
}

func (stateKind) destroy(ctx context.Context, d *destroyer, s *stages.Stage) error {
	st := d.cfg.State
	if d.cfg.Checkpoint.Store == "dynamodb" {
		// The checkpoint and this run's lock live in the table.
		d.note(s.Name, "lock table "+st.LockTable+" kept: it holds the checkpoint (checkpoint { store = \"dynamodb\" })")
	}
	acct, err := d.stateAccount()
	if err != nil {
		return err
	}
	if d.cfg.Checkpoint.Store == "dynamodb" {
		d.list(s.Name, acct.Account, &bootstrap.Report{Changes: []bootstrap.Change{{Resource: "dynamodb:" + st.LockTable, Action: bootstrap.Keep,
			Detail: "it holds the checkpoint (checkpoint { store = \"dynamodb\" })"}}})
		st.LockTable = ""
	}
	// The lease lives in what is deleted next: let it go first.
	if err := d.releaseLease(ctx); err != nil {
		return err
	}
	rep, err := acct.Cloud.DeleteState(ctx, acct.Account.ID, st, d.teardownOptions())
	d.list(s.Name, acct.Account, rep)
	return d.teardown(s.Name, rep, err)
}

func (registriesKind) apply(ctx context.Context, a *applier, s *stages.Stage) error {
	opts := a.bootstrapOptions(s.Name)
	if !opts.DriftLater || opts.Repair || opts.Converge {
		// Settings may be fixed: the lease is proved before anything.
		if err := a.verifyLease(ctx); err != nil {
			return err
		}
		return ensureRegistries(ctx, a.core, false, s.Name, opts)
	}
	// A resume only describes the repositories, and creates one that is
	// missing: the proof of the lease runs beside the reads, and a create
	// waits for it.
	proved := a.proveLease(ctx)
	opts.BeforeCreate = func(string) error { return proved() }
	err := ensureRegistries(ctx, a.core, false, s.Name, opts)
	return errors.Join(proved(), err)
}

func (registriesKind) plan(ctx context.Context, p *planner, s *stages.Stage) error {
	return ensureRegistries(ctx, p.core, true, s.Name, p.bootstrapOptions())
}

// destroy deletes the registries account by account, through the same
// sessions that created them; a failure in one account does not keep the
// others' from being deleted.
func (registriesKind) destroy(ctx context.Context, d *destroyer, s *stages.Stage) error {
	var errs []error
	for _, g := range d.registryGroups() {
		acct, err := d.account(g.account)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		rep, err := acct.Cloud.DeleteRegistries(ctx, g.regs, d.teardownOptions())
		d.report(s.Name, rep)
		d.list(s.Name, acct.Account, rep)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", acct.Account.Label(), err))
		}
	}
	return d.teardown(s.Name, nil, errors.Join(errs...))
}

// ensureState checks and creates the state bucket and lock table in the
// state's account; dry makes every call a dry run (plan). What a step
// leaves for later starts once both are proved, so that it does not hold
// up the proof.
func ensureState(ctx context.Context, c *core, dry bool, stage string, opts bootstrap.Options) (err error) {
	c.clearNotes(stage)
	acct, err := c.stateAccount()
	if err != nil {
		return err
	}
	cv := convergerOf(acct.Cloud, dry)
	c.noteAccount(stage, acct)
	var reps []*bootstrap.Report
	defer func() {
		for _, rep := range reps {
			if err == nil {
				c.checkLater(ctx, stage, rep)
			}
		}
	}()
	var table bootstrap.Beside // the lock table is created beside the bucket, once it is proved
	if o := opts; c.cfg.State.LockTable != "" {
		opts.Proved = table.Start(func() (*bootstrap.Report, error) { return cv.EnsureLockTable(ctx, c.cfg.State.LockTable, o) })
	}
	rep, err := cv.EnsureBucket(ctx, acct.Account.ID, c.cfg.State, opts)
	c.report(stage, rep)
	c.recordCreated(stage, acct.Account, rep)
	if err == nil && opts.Intended && !dry {
		c.createdAfterAll(stage, acct.Account, "s3://"+c.cfg.State.Bucket)
	}
	reps = append(reps, rep)
	if err == nil && !dry && c.bucketReady != nil {
		c.bucketReady() // init needs the bucket, not the lock table
	}
	if rep, started, tableErr := table.Wait(); started {
		c.report(stage, rep)
		c.recordCreated(stage, acct.Account, rep)
		reps = append(reps, rep)
		return errors.Join(err, tableErr)
	}
	if err != nil || c.cfg.State.LockTable == "" {
		return err
	}
	rep, err = cv.EnsureLockTable(ctx, c.cfg.State.LockTable, opts)
	c.report(stage, rep)
	c.recordCreated(stage, acct.Account, rep)
	reps = append(reps, rep)
	return err
}

// checkLater runs what a bootstrap step left for later (the drift of a
// resource a resume neither creates nor fixes) beside the rest of the run.
// Apply waits for it before the run ends; its findings join the stage's.
func (c *core) checkLater(ctx context.Context, stage string, rep *bootstrap.Report) {
	if rep == nil || rep.Later == nil {
		return
	}
	c.later.Add(1)
	go func() {
		defer c.later.Done()
		found, err := rep.Later(ctx)
		c.report(stage, found)
		if err != nil && ctx.Err() == nil {
			c.note(stage, fmt.Sprintf("could not check the hardened settings: %v", err))
		}
	}()
}

// ensureRegistries checks and creates the registries, each in its
// account's session, with a repository policy that lets its
// pull_accounts pull. The accounts are independent: a failure in one is
// reported with the others' results.
func ensureRegistries(ctx context.Context, c *core, dry bool, stage string, opts bootstrap.Options) error {
	c.clearNotes(stage)
	var errs []error
	for _, g := range c.registryGroups() {
		acct, err := c.account(g.account)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		o := opts
		o.PullAccounts = map[string][]string{}
		for _, r := range g.regs {
			o.PullAccounts[r.Name] = r.PullAccounts
		}
		c.noteAccount(stage, acct)
		rep, err := convergerOf(acct.Cloud, dry).EnsureRegistries(ctx, g.regs, o)
		c.report(stage, rep)
		c.recordCreated(stage, acct.Account, rep)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", acct.Account.Label(), err))
		} else {
			c.checkLater(ctx, stage, rep)
		}
	}
	return errors.Join(errs...)
}

// registryGroup is the registries that live in one account.
type registryGroup struct {
	account string
	regs    []*config.Registry
}

// registryGroups groups the registries by account, the target first and
// then the accounts in declaration order.
func (c *core) registryGroups() []registryGroup {
	var out []registryGroup
	for _, name := range c.cfg.UsedAccounts() {
		g := registryGroup{account: name}
		for _, r := range c.cfg.Registries {
			if r.Account == name {
				g.regs = append(g.regs, r)
			}
		}
		if len(g.regs) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// noteAccount says in which account a bootstrap step works, when the
// rebuild spans accounts.
func (c *core) noteAccount(stage string, acct *AccountSession) {
	if len(c.cfg.Accounts) > 0 {
		c.note(stage, fmt.Sprintf("in %s (%s, %s)", acct.Account.Label(), acct.Account.ID, acct.Account.Region))
	}
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

// convergerOf is a cloud's bootstrap calls, as dry runs when dry is set.
func convergerOf(c Cloud, dry bool) converger {
	if dry {
		return dryRun{c}
	}
	return c
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
