package rebuild

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/stages"
)

// ApplyOptions steer one apply.
type ApplyOptions struct {
	Common
	RepairState bool
	// AcceptExisting names restores (by block, table or bucket name)
	// whose existing target is kept as it is (--accept-existing).
	AcceptExisting []string
}

// applier is the mode that builds: it holds the run lock, resumes from the
// checkpoint and writes it after every status change.
type applier struct {
	*core
	repair bool
	store  checkpoint.Store
	accept map[string]bool // restores whose existing target is accepted

	// prevDone holds the stages the checkpoint had done before this run;
	// crashed, for each stage the previous run left running or
	// interrupted, when it started: Terraform may have left a state lock.
	prevDone map[string]bool
	crashed  map[string]time.Time
	// previous is the process that drove the last run, provably gone
	// since this run holds the run lock.
	previous *checkpoint.Holder

	warmCtx context.Context // cancelled when the run ends
	warm    sync.WaitGroup
}

// Apply rebuilds the target, resuming from its checkpoint. It returns the
// summary of the run; a run that stops at a manual step returns
// stages.ErrWaiting.
func Apply(ctx context.Context, cfg *config.Config, opts ApplyOptions) (*Summary, error) {
	p, err := stages.Build(cfg, opts.With)
	if err != nil {
		return nil, err
	}
	a := &applier{core: newCore(cfg, p, opts.Common, "apply", "work"), repair: opts.RepairState,
		prevDone: map[string]bool{}, crashed: map[string]time.Time{}}
	if a.accept, err = acceptList(cfg, opts.AcceptExisting); err != nil {
		return nil, err
	}
	if a.store, err = a.deps.Store(ctx, cfg, true); err != nil {
		return nil, err
	}
	holder := me(a.runID)
	lock, prev, err := a.store.Lock(ctx, holder)
	if err != nil {
		return nil, err
	}
	defer lock.Release(context.WithoutCancel(ctx))
	if prev != nil && prev.RunID != "" {
		a.note("preflight", "took over the run lock from "+prev.String()+": that process is gone")
	}
	if err := a.resume(ctx, holder); err != nil {
		return nil, err
	}
	start := time.Now()
	warmCtx, stopWarm := context.WithCancel(ctx)
	a.warmCtx = warmCtx
	res, runErr := a.execute(ctx, a.runStage, func(e stages.Event) { a.save(a.store, e.Stage) })
	stopWarm()
	a.warm.Wait()
	a.closeTerraform()
	if runErr == nil && res.Waiting() {
		runErr = stages.ErrWaiting
	}
	a.finish(res, runErr)
	return a.summary(res, start), runErr
}

func (a *applier) runStage(ctx context.Context, s *stages.Stage) error {
	k, err := kindOf(s)
	if err != nil {
		return err
	}
	return k.apply(ctx, a, s)
}

// resume loads the checkpoint, refuses one for another target, and takes
// it over for this run: stages left running are interrupted, and the
// process that drove them is remembered to recognise its state locks.
func (a *applier) resume(ctx context.Context, holder checkpoint.Holder) error {
	c, err := a.store.Load(ctx)
	if err != nil {
		return err
	}
	t := a.cfg.Target
	if c != nil && (c.Account != t.AccountID || c.Region != t.Region) {
		return fmt.Errorf("the checkpoint in %s is for account %s in %s, but rebuild.hcl targets account %s in %s; move .tfrebuild aside to start a rebuild of the new target",
			StateDir(a.cfg), c.Account, c.Region, t.AccountID, t.Region)
	}
	if c == nil {
		c = checkpoint.New(a.cfg.Project, t.AccountID, t.Region)
	}
	// The RTO clock runs from the first apply of a rebuild across its
	// resumes; an apply after a complete rebuild starts a new clock.
	if c.StartedAt.IsZero() || c.Complete(a.pipeline) {
		c.StartedAt = time.Now().UTC()
	}
	for name, rec := range c.Stages {
		a.prevDone[name] = rec.Status == stages.Done
		if (rec.Status == stages.Running || rec.Status == stages.Interrupted) && rec.StartedAt != nil {
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
	c.With = a.opts.With
	a.mu.Lock()
	a.ckpt = c
	a.mu.Unlock()
	return a.store.Save(ctx, c)
}

func (a *applier) bootstrapOptions(stage string) bootstrap.Options {
	return bootstrap.Options{Project: a.cfg.Project, Tags: a.cfg.Tags, Repair: a.repair, Converge: !a.prevDone[stage]}
}

// initAhead runs terraform init for every stack of the run, in pipeline
// order, once the backend exists. Init needs no inputs, so it overlaps the
// registries and the upstream stacks' applies instead of adding to the
// critical path. A failure here is not reported: the stack's own stage runs
// init again and reports it.
func (a *applier) initAhead() {
	var list []*config.Stack
	for _, s := range a.pipeline.Stages {
		if s.Kind == stages.KindStack && !s.Skipped {
			list = append(list, a.cfg.Stack(s.Target))
		}
	}
	a.warm.Add(1)
	go func() {
		defer a.warm.Done()
		for _, st := range list {
			if a.warmCtx.Err() != nil {
				return
			}
			_ = a.tf.Init(a.warmCtx, a.tfStack(st))
		}
	}()
}
