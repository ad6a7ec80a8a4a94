package rebuild

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/stages"
	"github.com/tfrebuild/tfrebuild/terraform"
)

// The first three stages: preflight (credentials, the guard, Terraform),
// state (bucket and lock table) and registries.

func (r *run) preflight(ctx context.Context) error {
	r.mu.Lock()
	r.ckpt.Stage("preflight").Notes = nil
	r.mu.Unlock()
	s, err := bootstrap.Load(ctx, r.cfg.Project, r.cfg.Target)
	if err != nil {
		return err
	}
	id, err := s.Guard(ctx, r.cfg.Target)
	if err != nil {
		return err
	}
	r.note("preflight", fmt.Sprintf("caller %s is in account %s; region %s", id.ARN, id.Account, r.cfg.Target.Region))
	bin, err := terraform.Find(ctx, r.cfg.Terraform.Version, r.opts.Download)
	if err != nil {
		return err
	}
	r.note("preflight", fmt.Sprintf("terraform %s at %s", bin.Version, bin.Path))
	dir := StateDir(r.cfg)
	work := "work"
	if r.plan {
		work = "plan"
	}
	r.session = s
	r.tf = &terraform.Runner{Binary: bin, WorkRoot: filepath.Join(dir, work), PluginCache: filepath.Join(dir, "plugin-cache"),
		LockTimeout: r.cfg.Terraform.LockTimeout}
	return nil
}

func (r *run) bootstrapOptions(stage string) bootstrap.Options {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.plan {
		return bootstrap.Options{Project: r.cfg.Project, Tags: r.cfg.Tags, DryRun: true}
	}
	return bootstrap.Options{Project: r.cfg.Project, Tags: r.cfg.Tags, Repair: r.opts.RepairState, Converge: !r.prevDone[stage]}
}

func (r *run) state(ctx context.Context) error {
	r.clearNotes("state")
	opts := r.bootstrapOptions("state")
	rep, err := r.session.EnsureBucket(ctx, r.cfg.Target.AccountID, r.cfg.State, opts)
	r.report("state", rep)
	if err != nil {
		return err
	}
	if r.cfg.State.LockTable != "" {
		rep, err := r.session.EnsureLockTable(ctx, r.cfg.State.LockTable, opts)
		r.report("state", rep)
		if err != nil {
			return err
		}
	}
	if !r.plan {
		r.initAhead()
	}
	return nil
}

// initAhead runs terraform init for every stack of the run, in pipeline
// order, once the backend exists. Init needs no inputs, so it overlaps the
// registries and the upstream stacks' applies instead of adding to the
// critical path. A failure here is not reported: the stack's own stage runs
// init again and reports it.
func (r *run) initAhead() {
	var list []*config.Stack
	for _, s := range r.pipeline.Stages {
		if s.Kind == stages.KindStack && !s.Skipped {
			list = append(list, r.cfg.Stack(s.Target))
		}
	}
	r.warm.Add(1)
	go func() {
		defer r.warm.Done()
		for _, st := range list {
			if r.warmCtx.Err() != nil {
				return
			}
			_ = r.tf.Init(r.warmCtx, terraform.Stack{Name: st.Name, SourceDir: st.SourceDir, Backend: r.backend(st)})
		}
	}()
}

func (r *run) registries(ctx context.Context) error {
	r.clearNotes("registries")
	rep, err := r.session.EnsureRegistries(ctx, r.cfg.Registries, r.bootstrapOptions("registries"))
	r.report("registries", rep)
	return err
}

func (r *run) clearNotes(stage string) {
	r.mu.Lock()
	r.ckpt.Stage(stage).Notes = nil
	r.mu.Unlock()
}

func (r *run) report(stage string, rep *bootstrap.Report) {
	if rep == nil {
		return
	}
	r.planBootstrap(stage, rep)
	for _, c := range rep.Changes {
		msg := c.String()
		if c.Action == bootstrap.Drift {
			msg += " (left as it is; apply --repair-state fixes it)"
		}
		r.note(stage, msg)
	}
}
