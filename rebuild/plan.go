package rebuild

import (
	"context"
	"time"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/outcome"
	"github.com/tfrebuild/tfrebuild/stages"
)

// PlanOptions steer a plan.
type PlanOptions struct {
	Common
	// Restore names restores planned as run again although done on
	// record (--restore NAME, as apply's).
	Restore []string
}

// planner is the read-only mode. It has no write path (it reads the stored
// checkpoint only for the restores done on record): its
// bootstrap calls are dry runs, its stacks are planned, and what it
// records stays in memory for the report.
type planner struct {
	*core
	planned map[string]*outcome.PlanStage
	mocks   map[string]map[string]string // stack → output → "mock" or "placeholder"
	mocked  map[string]bool              // stacks whose plan rests on mocked values
	// doneRestores are the restores the stored checkpoint has done, with
	// their results; rerun, those asked for again (--restore).
	doneRestores map[string]*checkpoint.Restore
	rerun        map[string]bool
	// incidentOnRecord is the incident time of a rebuild in progress.
	incidentOnRecord *time.Time
}

// Plan runs every stage read-only: the guard as usual, the bootstrap stages
// report what they would create or the drift they find, and each stack is
// planned. It makes no write call to the target and does not touch the
// checkpoint.
func Plan(ctx context.Context, cfg *config.Config, opts PlanOptions) (*outcome.PlanReport, error) {
	p, kept, err := buildPipeline(cfg, opts.scope().normal(cfg))
	if err != nil {
		return nil, err
	}
	pl := &planner{core: newCore(cfg, p, opts.Common, "plan", "plan"), planned: map[string]*outcome.PlanStage{},
		mocks: map[string]map[string]string{}, mocked: map[string]bool{}}
	pl.kept = kept
	if pl.rerun, err = cfg.RestoreNames("--restore", opts.Restore); err != nil {
		return nil, err
	}
	if pl.doneRestores, pl.incidentOnRecord, err = doneRestores(ctx, cfg, pl.deps); err != nil {
		return nil, err
	}
	pl.onReport = pl.planBootstrap
	res, runErr := pl.execute(ctx, pl.runStage, nil)
	pl.closeTerraform()
	pl.finish(res, runErr)
	rep := pl.report(res)
	pl.redactPlan(rep)
	return rep, runErr
}

func (p *planner) runStage(ctx context.Context, s *stages.Stage) error {
	k, err := kindOf(s)
	if err != nil {
		return err
	}
	if s.Kind == stages.KindStack {
		if err := p.readKept(ctx, p.cfg.Stack(s.Target)); err != nil {
			return err
		}
	}
	return k.plan(ctx, p, s)
}

// bootstrapOptions are the planner's; dryRun makes every call a dry run
// in any case.
func (p *planner) bootstrapOptions() bootstrap.Options {
	o := ownerOptions(p.cfg)
	o.DryRun = true
	return o
}

// stage returns the plan of a stage, creating it; callers hold p.mu.
func (p *planner) stage(name string) *outcome.PlanStage {
	ps := p.planned[name]
	if ps == nil {
		ps = &outcome.PlanStage{Name: name, Counts: outcome.Counts{}, Actions: []outcome.PlanAction{}}
		p.planned[name] = ps
	}
	return ps
}

// planBootstrap records a bootstrap report as plan actions.
func (p *planner) planBootstrap(stage string, rep *bootstrap.Report) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ps := p.stage(stage)
	for _, c := range rep.Changes {
		ps.Actions = append(ps.Actions, outcome.PlanAction{Address: c.Resource, Action: string(c.Action), Detail: c.Detail})
		ps.Counts[string(c.Action)]++
	}
}

func (p *planner) report(res *stages.Result) *outcome.PlanReport {
	p.mu.Lock()
	defer p.mu.Unlock()
	rep := &outcome.PlanReport{Schema: outcome.PlanSchemaVersion, Project: p.cfg.Project, Account: p.cfg.Target.AccountID,
		Region: p.cfg.Target.Region, GeneratedAt: time.Now().UTC(), Totals: outcome.Counts{}}
	for _, s := range p.pipeline.Stages {
		ps := p.stage(s.Name)
		ps.Status = res.Status[s.Name]
		rec := p.ckpt.Stage(s.Name)
		ps.Notes = rec.Notes
		if outcome.Unfinished(ps.Status) {
			ps.Error = rec.Error
		}
		for k, v := range ps.Counts {
			rep.Totals[k] += v
		}
		rep.Mocked = rep.Mocked || ps.Mocked
		rep.Stages = append(rep.Stages, ps)
	}
	// Drift of the state bucket, lock table or registries is pending too:
	// the target is not what rebuild.hcl says (apply --repair-state).
	for _, k := range []string{"create", "update", "delete", "replace", "restore", "drift"} {
		rep.ChangesPending = rep.ChangesPending || rep.Totals[k] > 0
	}
	rep.Engine = p.engine
	return rep
}
