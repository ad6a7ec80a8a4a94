package rebuild

import (
	"context"
	"fmt"

	"github.com/zclconf/go-cty/cty"

	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/outcome"
	"github.com/tfrebuild/tfrebuild/terraform"
)

// mockedInputs names the inputs of a stack that rest on mocked or
// placeholder values from an upstream plan.
func (p *planner) mockedInputs(st *config.Stack) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, in := range st.Inputs {
		for _, o := range in.Outputs {
			if kind := p.mocks[o.Stack][o.Output]; kind != "" {
				out = append(out, fmt.Sprintf("%s = stack.%s.outputs.%s (%s)", in.Name, o.Stack, o.Output, kind))
			} else if p.mocked[o.Stack] {
				out = append(out, fmt.Sprintf("%s = stack.%s.outputs.%s (planned on mocks)", in.Name, o.Stack, o.Output))
			}
		}
	}
	return out
}

func (p *planner) stack(ctx context.Context, st *config.Stack) error {
	mocked := p.mockedInputs(st)
	vars, err := p.inputs(st)
	if err != nil {
		return err
	}
	ts := p.tfStack(st)
	ts.Vars, ts.Outputs = vars, map[string]bool{}
	if st.Module != nil {
		for n, o := range st.Module.Outputs {
			ts.Outputs[n] = o.Sensitive
		}
	}
	exists, err := p.stateExists(ctx, ts.Backend)
	if err != nil {
		return err
	}
	ts.Wrap = !exists
	if exists {
		p.learnSecrets(ctx, ts)
	}
	res, err := p.tf.Plan(ctx, ts)
	p.mu.Lock()
	ps := p.stage("stack." + st.Name)
	ps.State = map[bool]string{true: "existing", false: "empty"}[exists]
	ps.MockedInputs = mocked
	ps.Mocked = len(mocked) > 0
	p.mu.Unlock()
	if err != nil {
		if ps.Mocked {
			err = fmt.Errorf("%w\n(this plan rests on mocked or placeholder values: %v; set mock_outputs on the upstream stack with values of the right type)", err, mocked)
		}
		return err
	}
	p.recordPlan(st, ps, res)
	for _, n := range res.Notes {
		p.note("stack."+st.Name, n)
	}
	return nil
}

// recordPlan records a stack's planned changes and makes its outputs
// visible downstream: known values as planned, unknown ones from the
// stack's mock_outputs or, failing that, a placeholder.
func (p *planner) recordPlan(st *config.Stack, ps *outcome.PlanStage, res *terraform.PlanResult) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range res.Changes {
		ps.Actions = append(ps.Actions, outcome.PlanAction{Address: c.Address, Action: c.Action, Attrs: c.Attrs})
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
	p.scope.SetOutputs(st.Name, outs)
	p.sensitive[st.Name] = res.Sensitive
	p.mocks[st.Name] = kinds
	p.mocked[st.Name] = ps.Mocked
	if ps.Mocked {
		rec := p.ckpt.Stage("stack." + st.Name)
		rec.Notes = append(rec.Notes, "planned on mocked values")
	}
}
