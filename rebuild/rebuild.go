package rebuild

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/stages"
	"github.com/tfrebuild/tfrebuild/terraform"
)

// Options steer one apply.
type Options struct {
	With        []string
	Parallelism int
	RepairState bool
	// Download allows fetching the pinned Terraform when it is not installed.
	Download bool
	Progress *Progress
}

// run is one apply in progress.
type run struct {
	cfg      *config.Config
	opts     Options
	pipeline *stages.Pipeline
	store    stages.Store
	progress *Progress

	session *bootstrap.Session
	tf      *terraform.Runner

	mu        sync.Mutex // guards ckpt, scope and prevDone
	ckpt      *stages.Checkpoint
	scope     *config.Scope
	sensitive map[string]map[string]bool
	prevDone  map[string]bool
	// crashed holds, for each stage the previous run left running or
	// interrupted, when it started: Terraform may have left a state lock.
	crashed map[string]time.Time
	// previous is the process that drove the last run, when it is
	// provably gone (its run lock was taken over or released).
	previous *stages.Holder

	warmCtx context.Context // cancelled when the run ends
	warm    sync.WaitGroup

	// plan makes the run read-only (tfrebuild plan); planned collects what
	// each stage would do.
	plan    bool
	planned map[string]*PlanStage
	mocks   map[string]map[string]string // stack → output → "mock" or "placeholder"
	mocked  map[string]bool              // stacks whose plan rests on mocked values

	// destroy makes the run a teardown (tfrebuild destroy); destroyed
	// collects the stages it removed.
	destroy   bool
	destroyed map[string]bool
}

// Apply rebuilds the target, resuming from its checkpoint.
func Apply(ctx context.Context, cfg *config.Config, opts Options) (*Summary, error) {
	p, err := stages.Build(cfg, opts.With)
	if err != nil {
		return nil, err
	}
	store, err := openStore(ctx, cfg, true)
	if err != nil {
		return nil, err
	}
	r := &run{cfg: cfg, opts: opts, pipeline: p, store: store, progress: opts.Progress,
		scope: cfg.NewScope(stages.Absent(cfg, opts.With)), sensitive: map[string]map[string]bool{},
		prevDone: map[string]bool{}, crashed: map[string]time.Time{}}
	holder := me(newRunID())
	lock, prev, err := store.Lock(ctx, holder)
	if err != nil {
		return nil, err
	}
	defer lock.Release(context.WithoutCancel(ctx))
	if prev != nil && prev.RunID != "" {
		r.note("preflight", "took over the run lock from "+prev.String()+": that process is gone")
	}
	if err := r.loadCheckpoint(ctx, holder); err != nil {
		return nil, err
	}
	start := time.Now()
	warmCtx, stopWarm := context.WithCancel(ctx)
	r.warmCtx = warmCtx
	runner := &stages.Runner{Parallelism: opts.Parallelism, Run: r.runStage, OnEvent: r.record}
	res, runErr := runner.Execute(ctx, p)
	stopWarm()
	r.warm.Wait()
	if r.tf != nil {
		r.tf.Close()
	}
	sum := r.summary(res, start)
	if runErr == nil && res.Waiting() {
		runErr = stages.ErrWaiting
	}
	return sum, runErr
}

func (r *run) loadCheckpoint(ctx context.Context, holder stages.Holder) error {
	c, err := r.store.Load(ctx)
	if err != nil {
		return err
	}
	t := r.cfg.Target
	if c != nil && (c.Account != t.AccountID || c.Region != t.Region) {
		return fmt.Errorf("the checkpoint in %s is for account %s in %s, but rebuild.hcl targets account %s in %s; move .tfrebuild aside to start a rebuild of the new target",
			StateDir(r.cfg), c.Account, c.Region, t.AccountID, t.Region)
	}
	if c == nil {
		c = &stages.Checkpoint{Project: r.cfg.Project, Account: t.AccountID, Region: t.Region}
	}
	// The RTO clock runs from the first apply of a rebuild across its
	// resumes; an apply after a complete rebuild starts a new clock.
	if c.StartedAt.IsZero() || complete(r.pipeline, c) {
		c.StartedAt = time.Now().UTC()
	}
	for name, rec := range c.Stages {
		r.prevDone[name] = rec.Status == stages.Done
		if (rec.Status == stages.Running || rec.Status == stages.Interrupted) && rec.StartedAt != nil {
			r.crashed[name] = *rec.StartedAt
			if rec.Status == stages.Running {
				rec.Status = stages.Interrupted
				rec.Error = "the run driving this stage stopped before it finished"
			}
		}
	}
	// We hold the run lock, so the process named in the checkpoint is gone.
	r.previous = c.Run
	c.RunID = holder.RunID
	c.Run = &holder
	c.With = r.opts.With
	r.ckpt = c
	return r.store.Save(ctx, c)
}

func complete(p *stages.Pipeline, c *stages.Checkpoint) bool {
	for _, s := range p.Stages {
		rec := c.Stages[s.Name]
		if !s.Skipped && (rec == nil || rec.Status != stages.Done) {
			return false
		}
	}
	return true
}

func newRunID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// record keeps the checkpoint in step with the runner's events. It is
// called from one goroutine at a time.
func (r *run) record(e stages.Event) {
	r.mu.Lock()
	rec := r.ckpt.Stage(e.Stage)
	t := e.Time.UTC()
	rec.Status = e.Status
	var elapsed time.Duration
	switch e.Status {
	case stages.Running:
		rec.StartedAt, rec.FinishedAt, rec.Error = &t, nil, ""
		rec.Attempts++
	case stages.Skipped, stages.Blocked:
		rec.FinishedAt = nil
	default:
		rec.FinishedAt = &t
		if rec.StartedAt != nil {
			elapsed = t.Sub(*rec.StartedAt)
		}
	}
	if e.Err != nil {
		rec.Error = e.Err.Error()
	}
	r.ckpt.UpdatedAt = time.Now().UTC()
	var err error
	if r.store != nil {
		err = r.store.Save(context.WithoutCancel(context.Background()), r.ckpt)
	}
	r.mu.Unlock()
	if r.progress != nil {
		r.progress.Event(e, elapsed)
		if err != nil {
			r.progress.Note(e.Stage, "could not save the checkpoint: "+err.Error())
		}
	}
}

func (r *run) note(stage, msg string) {
	r.mu.Lock()
	if r.ckpt != nil {
		rec := r.ckpt.Stage(stage)
		rec.Notes = append(rec.Notes, msg)
	}
	r.mu.Unlock()
	if r.progress != nil {
		r.progress.Note(stage, msg)
	}
}

func (r *run) runStage(ctx context.Context, s *stages.Stage) error {
	switch s.Kind {
	case stages.KindPreflight:
		return r.preflight(ctx)
	case stages.KindState:
		if r.destroy {
			return r.teardown(ctx, s.Name)
		}
		return r.state(ctx)
	case stages.KindRegistries:
		if r.destroy {
			return r.teardown(ctx, s.Name)
		}
		return r.registries(ctx)
	case stages.KindStack:
		if r.destroy {
			return r.destroyStack(ctx, r.cfg.Stack(s.Target))
		}
		if r.plan {
			return r.planStack(ctx, r.cfg.Stack(s.Target))
		}
		return r.stack(ctx, r.cfg.Stack(s.Target))
	case stages.KindCheck:
		if r.plan {
			r.note(s.Name, "not run by plan: polled after the stacks are applied")
			return nil
		}
		return r.check(ctx, s.Target)
	case stages.KindStep:
		if r.plan {
			r.note(s.Name, "manual step, not run by plan")
			return nil
		}
		return r.step(s.Target)
	}
	return errors.New("unknown stage kind " + string(s.Kind))
}
