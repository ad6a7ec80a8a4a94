package rebuild

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/fingerprint"
	"github.com/tfrebuild/tfrebuild/outcome"
	"github.com/tfrebuild/tfrebuild/stages"
)

// ApplyOptions steer one apply.
type ApplyOptions struct {
	Common
	RepairState bool
	// ChangeScope lets this apply change the scope (--with, --only) of a
	// rebuild in progress instead of refusing.
	ChangeScope bool
	// PreConfirmed are manual steps this run treats as confirmed (a
	// drill's --confirm and auto_confirm_in_drill steps).
	PreConfirmed []string
	// AcceptExisting names restores (by block, table or bucket name)
	// whose existing target is kept as it is (--accept-existing).
	AcceptExisting []string
	// Restore names restores (by block, table or bucket name) to run
	// again although done on record (--restore NAME).
	Restore []string
	// Adopt names objects that exist outside their stack's state and are
	// to be imported into it before the stack is applied (--adopt).
	Adopt []Adoption
}

// applier is the mode that builds: it holds the run lock, resumes from the
// checkpoint and writes it after every status change.
type applier struct {
	*core
	repair       bool
	changeScope  bool
	preConfirmed []string
	store        checkpoint.Store
	accept       map[string]bool // restores whose existing target is accepted
	rerun        map[string]bool // restores asked for again (--restore)
	adoptions    []Adoption      // orphans a person vouched for (--adopt)
	toVerify     []pendingVerify // restores this run made, verified at its end

	// prevDone holds the stages the checkpoint had done before this run;
	// crashed, for each stage the previous run left running, interrupted
	// or failed, when it started: Terraform may have left a state lock (a
	// failed one too, when its lock request was retried after landing).
	prevDone map[string]bool
	crashed  map[string]time.Time
	// builtBefore holds the stages done in this rebuild or the last one:
	// the state bucket that was built then is likely still there.
	builtBefore map[string]bool
	// restoredInto holds the stacks a restore of this run has written
	// into (guarded by mu): a read of their state made ahead is older.
	restoredInto map[string]bool

	warmCtx context.Context // cancelled when the run ends
	// stackReadsAhead are the stacks' reads made ahead (ahead.go), guarded by mu.
	stackReadsAhead map[string]*stackReads
	// behind saves the checkpoint after each stage event (savebehind.go).
	behind *checkpoint.Behind
	warm   sync.WaitGroup
	ahead  *ahead // the stacks' warm-up (warm.go)
}

// Apply rebuilds the target, resuming from its checkpoint. It returns the
// summary of the run; a run that stops at a manual step returns
// stages.ErrWaiting.
func Apply(ctx context.Context, cfg *config.Config, opts ApplyOptions) (_ *outcome.Summary, runErr error) {
	p, kept, err := buildPipeline(cfg, opts.scope().normal(cfg))
	if err != nil {
		return nil, err
	}
	a := &applier{core: newCore(cfg, p, opts.Common, "apply", "work"), repair: opts.RepairState, changeScope: opts.ChangeScope,
		preConfirmed: opts.PreConfirmed,
		prevDone:     map[string]bool{}, crashed: map[string]time.Time{}, builtBefore: map[string]bool{}, restoredInto: map[string]bool{}}
	a.kept = kept
	a.connectAhead(ctx)
	if a.accept, err = cfg.RestoreNames("--accept-existing", opts.AcceptExisting); err != nil {
		return nil, err
	}
	if a.rerun, err = cfg.RestoreNames("--restore", opts.Restore); err != nil {
		return nil, err
	}
	if a.adoptions, err = checkAdoptions(cfg, opts.Adopt); err != nil {
		return nil, err
	}
	if err := a.findTerraform(ctx); err != nil {
		return nil, err
	}
	defer a.closeTerraform() // on the early returns; closing twice is harmless
	if a.store, err = a.deps.Store(ctx, cfg, true); err != nil {
		return nil, err
	}
	if a.key, err = fingerprint.Key(ctx, a.store, cfg.StateDir()); err != nil {
		return nil, err
	}
	holder := a.holder()
	lock, prev, err := a.store.Lock(ctx, holder)
	if err != nil {
		return nil, err
	}
	defer releaseRunLock(ctx, lock, &runErr)
	if prev != nil && prev.RunID != "" {
		a.note("preflight", "took over the run lock from "+prev.String()+": that process is gone")
	}
	if err := a.resume(ctx, holder); err != nil {
		return nil, err
	}
	if err := a.checkKeptUpstream(); err != nil {
		return nil, err
	}
	start := time.Now()
	ctx, stopRun := a.withRunContext(ctx)
	defer stopRun(nil)
	warmCtx, stopWarm := context.WithCancel(ctx)
	a.warmCtx = warmCtx
	a.behind = checkpoint.NewBehind(func(stage string) { a.save(a.store, stage) })
	res, runErr := a.execute(ctx, a.runStage, func(e stages.Event) { a.behind.Ask(e.Stage) })
	a.releaseUnusedLocks(ctx)
	leaseGone := a.letLeaseGo(ctx)
	a.releases.waitAll()
	a.verifyRestores(ctx)
	a.later.Wait()
	a.behind.Close()
	stopWarm()
	a.warm.Wait()
	a.closeTerraform()
	if runErr == nil && res.Waiting() {
		runErr = stages.ErrWaiting
	}
	if l := a.heldLease(); l != nil && l.Err() != nil {
		runErr = a.endLease(ctx, runErr) // the loss is the run's outcome
	}
	a.finish(res, runErr)
	a.save(a.store, "")
	sum := a.summary(res, start)
	sum.History = a.historyRecord()
	return sum, errors.Join(a.endLease(ctx, runErr), leaseGone())
}

func (a *applier) runStage(ctx context.Context, s *stages.Stage) error {
	k, err := kindOf(s)
	if err != nil {
		return err
	}
	if s.Kind == stages.KindStack {
		if err := a.readKept(ctx, a.cfg.Stack(s.Target)); err != nil {
			return err
		}
	}
	return k.apply(ctx, a, s)
}

// resume loads the checkpoint, refuses one for another target or, for a
// rebuild in progress, another scope, and takes it over for this run:
// stages left running are interrupted, and the process that drove them is
// remembered to recognise its state locks.
func (a *applier) resume(ctx context.Context, holder checkpoint.Holder) error {
	c, err := a.store.Load(ctx)
	if err != nil {
		return err
	}
	t := a.cfg.Target
	if c != nil && !applied(c) && !a.ofThisTarget(c) {
		// Nothing was built: a checkpoint written before the guard refused
		// a typo binds nothing. (One for this target is kept: its rebuild's
		// clock goes on.)
		c = nil
	}
	if err := a.sameTarget(c); err != nil {
		return err
	}
	if err := a.sameScope(c); err != nil {
		return err
	}
	if c == nil {
		c = checkpoint.New(a.cfg.Project, t.AccountID, t.Region)
	}
	// A rebuild from nothing (the first, or the first after destroy) asks
	// again for every manual step; a drill may confirm some ahead.
	if c.StartedAt.IsZero() {
		forgetConfirmations(c)
	}
	for _, step := range a.preConfirmed {
		if rec := c.Stage("step." + step); rec.ConfirmedAt == nil {
			t := time.Now().UTC()
			rec.ConfirmedBy, rec.ConfirmedAt = "drill (pre-confirmed)", &t
		}
	}
	a.beginRun(c)
	if t := a.opts.IncidentAt; !t.IsZero() {
		t = t.UTC()
		c.IncidentAt = &t
	}
	for name, rec := range c.Stages {
		a.prevDone[name] = doneThisRebuild(rec)
		a.builtBefore[name] = rec.Status == stages.Done
		if (rec.Status == stages.Running || rec.Status == stages.Interrupted || rec.Status == stages.Failed) && rec.StartedAt != nil {
			a.crashed[name] = *rec.StartedAt
			if rec.Status == stages.Running {
				rec.Status = stages.Interrupted
				rec.Error = "the run driving this stage stopped before it finished"
			}
		}
	}
	a.previous = c.Run
	c.RunID = holder.RunID
	c.Run = &holder
	sc := a.opts.scope().normal(a.cfg)
	c.With, c.Only, c.WithDeps = sc.With, sc.Only, sc.WithDeps
	a.mu.Lock()
	a.ckpt = c
	a.mu.Unlock()
	return a.store.Save(ctx, c)
}

// ofThisTarget: a checkpoint's project, account and region are the
// config's (a checkpoint that names no project predates the field).
func (a *applier) ofThisTarget(c *checkpoint.Checkpoint) bool {
	t := a.cfg.Target
	return c.Account == t.AccountID && c.Region == t.Region && (c.Project == "" || c.Project == a.cfg.Project)
}

func (a *applier) sameTarget(c *checkpoint.Checkpoint) error {
	if c == nil || a.ofThisTarget(c) {
		return nil
	}
	t := a.cfg.Target
	return fmt.Errorf("the checkpoint in %s is for project %q, account %s in %s, but %s targets project %q, account %s in %s; move %s aside to start a rebuild of the new target",
		a.cfg.StateDir(), c.Project, c.Account, c.Region, a.cfg.Filename, a.cfg.Project, t.AccountID, t.Region, a.cfg.StateDir())
}

// sameScope refuses to resume a rebuild in progress with another scope:
// leaving out a stack it started would abandon its half-applied state.
func (a *applier) sameScope(c *checkpoint.Checkpoint) error {
	if c == nil || a.changeScope || !inProgress(a.cfg, c) {
		return nil
	}
	was, now := scopeOf(c).normal(a.cfg), a.opts.scope().normal(a.cfg)
	if was.equal(now) {
		return nil
	}
	return fmt.Errorf("a rebuild of %s is in progress with %s (started %s), but this apply asks for %s; "+
		"to continue it, run:\n  %s\nor add --change-scope to build the new set instead (what the old set built stays as it is)",
		a.cfg.Project, was.describe(), c.StartedAt.Format(time.RFC3339), now.describe(), ApplyCommand(a.cfg.Filename, was))
}

// forgetConfirmations makes a new rebuild ask again for every manual step:
// a confirmation belongs to the rebuild it was given in.
func forgetConfirmations(c *checkpoint.Checkpoint) {
	for _, rec := range c.Stages {
		rec.ConfirmedBy, rec.ConfirmedAt = "", nil
	}
}

// bootstrapOptions: a stage done in an earlier run of this rebuild (a
// resume) is not converged again (only --repair-state fixes drift), and its
// drift is checked beside the stacks rather than before them; a new
// rebuild converges everything tfrebuild created, as on day one.
func (a *applier) bootstrapOptions(stage string) bootstrap.Options {
	o := ownerOptions(a.cfg)
	o.Repair, o.Converge, o.DriftLater = a.repair, !a.prevDone[stage], a.prevDone[stage]
	if stage == "state" {
		a.intendBucket(&o)
		o.TableProved = a.leaseInTable()
	}
	return o
}
