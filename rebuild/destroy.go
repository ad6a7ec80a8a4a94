package rebuild

import (
	"context"
	"fmt"
	"time"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/stages"
	"github.com/tfrebuild/tfrebuild/terraform"
)

// DestroyOptions steer a teardown.
type DestroyOptions struct {
	With        []string
	Parallelism int
	Download    bool
	// All also deletes the registries, the lock table and the state bucket,
	// when tfrebuild created them for this project.
	All      bool
	Progress *Progress
}

// Destroy tears the target down in reverse order, for drills: each stack
// after everything that depends on it, then (with All) the registries and
// the state. It holds the run lock, and afterwards the checkpoint forgets
// what was destroyed, so that the next apply builds it again.
func Destroy(ctx context.Context, cfg *config.Config, opts DestroyOptions) (*Summary, error) {
	p, err := stages.BuildDestroy(cfg, opts.With, opts.All)
	if err != nil {
		return nil, err
	}
	store, err := openStore(ctx, cfg, false)
	if err != nil {
		return nil, err
	}
	r := &run{cfg: cfg, opts: Options{With: opts.With, Parallelism: opts.Parallelism, Download: opts.Download}, pipeline: p,
		progress: opts.Progress, scope: cfg.NewScope(stages.Absent(cfg, opts.With)), sensitive: map[string]map[string]bool{},
		prevDone: map[string]bool{}, crashed: map[string]time.Time{}, destroy: true, destroyed: map[string]bool{},
		ckpt: &stages.Checkpoint{Project: cfg.Project}}
	r.warmCtx = ctx
	if store != nil {
		lock, _, err := store.Lock(ctx, me(newRunID()))
		if err != nil {
			return nil, err
		}
		defer lock.Release(context.WithoutCancel(ctx))
	}
	start := time.Now()
	runner := &stages.Runner{Parallelism: opts.Parallelism, Run: r.runStage, OnEvent: r.record}
	res, runErr := runner.Execute(ctx, p)
	if r.tf != nil {
		r.tf.Close()
	}
	if store != nil {
		if err := r.forget(ctx, store); err != nil {
			runErr = joinErr(runErr, err)
		}
	}
	return r.summary(res, start), runErr
}

// forget drops the checkpoint records of what was destroyed.
func (r *run) forget(ctx context.Context, store stages.Store) error {
	c, err := store.Load(ctx)
	if err != nil || c == nil {
		return err
	}
	for name := range r.destroyed {
		delete(c.Stages, name)
	}
	if r.destroyed["state"] {
		// Nothing of the rebuild is left: the next apply starts a new one.
		c.Stages, c.StartedAt = nil, time.Time{}
	}
	return store.Save(ctx, c)
}

func joinErr(a, b error) error {
	if a == nil {
		return b
	}
	return fmt.Errorf("%w\n%v", a, b)
}

func (r *run) destroyStack(ctx context.Context, st *config.Stack) error {
	name := "stack." + st.Name
	ts := terraform.Stack{Name: st.Name, SourceDir: st.SourceDir, Backend: r.backend(st)}
	exists, err := r.session.StateExists(ctx, r.cfg.Target.AccountID, ts.Backend.Bucket, ts.Backend.Key)
	if err != nil {
		return err
	}
	if !exists {
		r.note(name, "no state: nothing to destroy")
		r.markDestroyed(name)
		return nil
	}
	// Destroy needs the stack's inputs, which come from its upstream
	// stacks: they still exist, since they are destroyed after it.
	for _, d := range r.cfg.StackDeps(st) {
		up := r.cfg.Stack(d)
		if ps := r.pipeline.Get("stack." + d); ps == nil || ps.Skipped {
			continue
		}
		outs, err := r.tf.Outputs(ctx, terraform.Stack{Name: up.Name, SourceDir: up.SourceDir, Backend: r.backend(up)})
		if err != nil {
			return fmt.Errorf("read the outputs of stack %q for %s's inputs: %w", d, st.Name, err)
		}
		r.mu.Lock()
		r.scope.SetOutputs(d, outs.Values)
		r.mu.Unlock()
	}
	r.mu.Lock()
	vars, diags := r.scope.Inputs(st)
	r.mu.Unlock()
	if diags.HasErrors() {
		return config.DiagnosticsError(diags)
	}
	ts.Vars = vars
	changed, err := r.tf.Destroy(ctx, ts)
	if err != nil {
		return err
	}
	r.markDestroyed(name)
	if changed {
		r.note(name, "destroyed everything in its state ("+ts.Backend.Key+")")
	} else {
		r.note(name, "its state was already empty")
	}
	return nil
}

func (r *run) markDestroyed(stage string) {
	r.mu.Lock()
	r.destroyed[stage] = true
	r.mu.Unlock()
}

func (r *run) teardown(ctx context.Context, stage string) error {
	opts := bootstrap.Options{Project: r.cfg.Project}
	var rep *bootstrap.Report
	var err error
	if stage == "registries" {
		rep, err = r.session.DeleteRegistries(ctx, r.cfg.Registries, opts)
	} else {
		st := r.cfg.State
		if r.cfg.Checkpoint.Store == "dynamodb" {
			// The checkpoint and this run's lock live in the table.
			r.note(stage, "lock table "+st.LockTable+" kept: it holds the checkpoint (checkpoint { store = \"dynamodb\" })")
			st.LockTable = ""
		}
		rep, err = r.session.DeleteState(ctx, r.cfg.Target.AccountID, st, opts)
	}
	r.report(stage, rep)
	if err == nil {
		r.markDestroyed(stage)
	}
	return err
}
