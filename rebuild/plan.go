package rebuild

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/stages"
	"github.com/tfrebuild/tfrebuild/terraform"
)

// PlanSchemaVersion is the version of the plan --json document.
const PlanSchemaVersion = 1

// PlanReport is what `tfrebuild plan` found: per stage, what apply would
// do. It holds resource addresses and counts, never a value.
type PlanReport struct {
	Schema         int          `json:"schema"`
	Project        string       `json:"project"`
	Account        string       `json:"account"`
	Region         string       `json:"region"`
	GeneratedAt    time.Time    `json:"generated_at"`
	ChangesPending bool         `json:"changes_pending"`
	Mocked         bool         `json:"mocked"`
	Totals         Counts       `json:"totals"`
	Stages         []*PlanStage `json:"stages"`
}

// Counts are actions by kind: create, update, delete, replace, read, drift.
type Counts map[string]int

// PlanStage is one stage of the plan.
type PlanStage struct {
	Name   string        `json:"name"`
	Status stages.Status `json:"status"`
	// State is, for a stack, "existing" (planned against its real state) or
	// "empty" (no state yet: planned as a fresh create).
	State        string       `json:"state,omitempty"`
	Actions      []PlanAction `json:"actions"`
	Counts       Counts       `json:"counts"`
	Mocked       bool         `json:"mocked"`
	MockedInputs []string     `json:"mocked_inputs,omitempty"`
	Error        string       `json:"error,omitempty"`
	Notes        []string     `json:"notes,omitempty"`
}

// PlanAction is one thing apply would do.
type PlanAction struct {
	Address string `json:"address"`
	Action  string `json:"action"`
	Detail  string `json:"detail,omitempty"`
}

// PlanOptions steer a plan.
type PlanOptions struct {
	With        []string
	Parallelism int
	Download    bool
	Progress    *Progress
}

// Plan runs every stage read-only: the guard as usual, the bootstrap stages
// report what they would create or the drift they find, and each stack is
// planned. It makes no write call to the target and does not touch the
// checkpoint.
func Plan(ctx context.Context, cfg *config.Config, opts PlanOptions) (*PlanReport, error) {
	p, err := stages.Build(cfg, opts.With)
	if err != nil {
		return nil, err
	}
	r := &run{cfg: cfg, opts: Options{With: opts.With, Parallelism: opts.Parallelism, Download: opts.Download}, pipeline: p,
		progress: opts.Progress, scope: cfg.NewScope(stages.Absent(cfg, opts.With)), sensitive: map[string]map[string]bool{},
		prevDone: map[string]bool{}, crashed: map[string]time.Time{}, plan: true, planned: map[string]*PlanStage{},
		mocks: map[string]map[string]string{}, mocked: map[string]bool{},
		ckpt: &stages.Checkpoint{Project: cfg.Project, Account: cfg.Target.AccountID, Region: cfg.Target.Region}}
	r.warmCtx = ctx
	runner := &stages.Runner{Parallelism: opts.Parallelism, Run: r.runStage, OnEvent: r.record}
	res, runErr := runner.Execute(ctx, p)
	if r.tf != nil {
		r.tf.Close()
	}
	return r.planReport(res), runErr
}

func (r *run) planStage(name string) *PlanStage {
	ps := r.planned[name]
	if ps == nil {
		ps = &PlanStage{Name: name, Counts: Counts{}, Actions: []PlanAction{}}
		r.planned[name] = ps
	}
	return ps
}

// planBootstrap records a bootstrap report as plan actions.
func (r *run) planBootstrap(stage string, rep *bootstrap.Report) {
	if !r.plan || rep == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	ps := r.planStage(stage)
	for _, c := range rep.Changes {
		ps.Actions = append(ps.Actions, PlanAction{Address: c.Resource, Action: string(c.Action), Detail: c.Detail})
		ps.Counts[string(c.Action)]++
	}
}

func (r *run) planStack(ctx context.Context, st *config.Stack) error {
	name := "stack." + st.Name
	r.mu.Lock()
	vars, diags := r.scope.Inputs(st)
	var mockedInputs []string
	for _, in := range st.Inputs {
		for _, o := range in.Outputs {
			if kind := r.mocks[o.Stack][o.Output]; kind != "" {
				mockedInputs = append(mockedInputs, fmt.Sprintf("%s = stack.%s.outputs.%s (%s)", in.Name, o.Stack, o.Output, kind))
			} else if r.mocked[o.Stack] {
				mockedInputs = append(mockedInputs, fmt.Sprintf("%s = stack.%s.outputs.%s (planned on mocks)", in.Name, o.Stack, o.Output))
			}
		}
	}
	r.mu.Unlock()
	if diags.HasErrors() {
		return config.DiagnosticsError(diags)
	}
	ts := terraform.Stack{Name: st.Name, SourceDir: st.SourceDir, Backend: r.backend(st), Vars: vars, Outputs: map[string]bool{}}
	if st.Module != nil {
		for n, o := range st.Module.Outputs {
			ts.Outputs[n] = o.Sensitive
		}
	}
	exists, err := r.session.StateExists(ctx, r.cfg.Target.AccountID, ts.Backend.Bucket, ts.Backend.Key)
	if err != nil {
		return err
	}
	ts.Wrap = !exists
	res, err := r.tf.Plan(ctx, ts)
	r.mu.Lock()
	ps := r.planStage(name)
	ps.State = map[bool]string{true: "existing", false: "empty"}[exists]
	ps.MockedInputs = mockedInputs
	ps.Mocked = len(mockedInputs) > 0
	r.mu.Unlock()
	if err != nil {
		if ps.Mocked {
			err = fmt.Errorf("%w\n(this plan rests on mocked or placeholder values: %v; set mock_outputs on the upstream stack with values of the right type)", err, mockedInputs)
		}
		return err
	}
	r.recordPlan(st, ps, res)
	return nil
}

// recordPlan records a stack's planned changes and makes its outputs
// visible downstream: known values as planned, unknown ones from the
// stack's mock_outputs or, failing that, a placeholder.
func (r *run) recordPlan(st *config.Stack, ps *PlanStage, res *terraform.PlanResult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range res.Changes {
		ps.Actions = append(ps.Actions, PlanAction{Address: c.Address, Action: c.Action})
		ps.Counts[c.Action]++
	}
	outs := map[string]cty.Value{}
	for n, v := range res.Outputs {
		outs[n] = v
	}
	kinds := map[string]string{}
	for n := range res.Unknown {
		if e, ok := st.MockOutputs[n]; ok {
			if v, d := e.Value(nil); !d.HasErrors() {
				outs[n], kinds[n] = v, "mock"
				continue
			}
		}
		outs[n], kinds[n] = cty.StringVal(fmt.Sprintf("(known after apply: stack.%s.outputs.%s)", st.Name, n)), "placeholder"
	}
	r.scope.SetOutputs(st.Name, outs)
	r.sensitive[st.Name] = res.Sensitive
	r.mocks[st.Name] = kinds
	r.mocked[st.Name] = ps.Mocked
	if ps.Mocked {
		r.notes("stack."+st.Name, "planned on mocked values")
	}
}

func (r *run) notes(stage, msg string) {
	rec := r.ckpt.Stage(stage)
	rec.Notes = append(rec.Notes, msg)
}

func (r *run) planReport(res *stages.Result) *PlanReport {
	r.mu.Lock()
	defer r.mu.Unlock()
	rep := &PlanReport{Schema: PlanSchemaVersion, Project: r.cfg.Project, Account: r.cfg.Target.AccountID,
		Region: r.cfg.Target.Region, GeneratedAt: time.Now().UTC(), Totals: Counts{}}
	for _, s := range r.pipeline.Stages {
		ps := r.planStage(s.Name)
		ps.Status = res.Status[s.Name]
		rec := r.ckpt.Stage(s.Name)
		ps.Notes = rec.Notes
		if ps.Status == stages.Failed || ps.Status == stages.Blocked || ps.Status == stages.Interrupted {
			ps.Error = rec.Error
		}
		for k, v := range ps.Counts {
			rep.Totals[k] += v
		}
		rep.Mocked = rep.Mocked || ps.Mocked
		rep.Stages = append(rep.Stages, ps)
	}
	for _, k := range []string{"create", "update", "delete", "replace"} {
		rep.ChangesPending = rep.ChangesPending || rep.Totals[k] > 0
	}
	return rep
}

// Failed lists the stages that failed or were blocked.
func (p *PlanReport) Failed() []string {
	var out []string
	for _, s := range p.Stages {
		if s.Status == stages.Failed || s.Status == stages.Blocked || s.Status == stages.Interrupted {
			out = append(out, s.Name)
		}
	}
	sort.Strings(out)
	return out
}
