package config

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// Scope holds what expressions in rebuild.hcl can see: the outputs of the
// stacks applied so far.
type Scope struct {
	cfg     *Config
	outputs map[string]map[string]cty.Value
	absent  map[string]bool
}

// NewScope starts an empty scope. Stacks marked absent (optional stacks not
// in this run) evaluate to null outputs.
func (c *Config) NewScope(absent map[string]bool) *Scope {
	return &Scope{cfg: c, outputs: map[string]map[string]cty.Value{}, absent: absent}
}

// SetOutputs records a stack's outputs. It is not safe to call concurrently
// with Eval; the runner serialises the two.
func (s *Scope) SetOutputs(stack string, outputs map[string]cty.Value) {
	s.outputs[stack] = outputs
}

var functions = map[string]function.Function{
	"coalesce":   stdlib.CoalesceFunc,
	"env":        envFunc,
	"concat":     stdlib.ConcatFunc,
	"format":     stdlib.FormatFunc,
	"join":       stdlib.JoinFunc,
	"jsonencode": stdlib.JSONEncodeFunc,
	"lower":      stdlib.LowerFunc,
	"merge":      stdlib.MergeFunc,
	"replace":    stdlib.ReplaceFunc,
	"upper":      stdlib.UpperFunc,
}

func (s *Scope) evalContext() *hcl.EvalContext {
	stacks := map[string]cty.Value{}
	for _, st := range s.cfg.Stacks {
		outs, ok := s.outputs[st.Name]
		switch {
		case ok:
			stacks[st.Name] = cty.ObjectVal(map[string]cty.Value{"outputs": cty.ObjectVal(outs)})
		case s.absent[st.Name]:
			nulls := map[string]cty.Value{}
			if st.Module != nil {
				for name := range st.Module.Outputs {
					nulls[name] = cty.NullVal(cty.DynamicPseudoType)
				}
			}
			stacks[st.Name] = cty.ObjectVal(map[string]cty.Value{"outputs": cty.ObjectVal(nulls)})
		default:
			stacks[st.Name] = cty.DynamicVal
		}
	}
	vars := s.cfg.placeValues()
	vars["stack"] = cty.ObjectVal(stacks)
	return &hcl.EvalContext{
		Variables: vars,
		Functions: functions,
	}
}

// Inputs evaluates a stack's inputs. Values that depend on stacks not yet
// applied come back unknown.
func (s *Scope) Inputs(st *Stack) (map[string]cty.Value, hcl.Diagnostics) {
	ctx := s.evalContext()
	out := map[string]cty.Value{}
	var diags hcl.Diagnostics
	for _, in := range st.Inputs {
		v, d := in.Expr.Value(ctx)
		diags = append(diags, d...)
		out[in.Name] = v
	}
	return out, diags
}

// String evaluates an expression that must produce a string, such as a
// check URL.
func (s *Scope) String(e hcl.Expression) (string, hcl.Diagnostics) {
	v, diags := e.Value(s.evalContext())
	if diags.HasErrors() {
		return "", diags
	}
	if v.IsNull() || !v.IsWhollyKnown() || !v.Type().Equals(cty.String) {
		return "", hcl.Diagnostics{errorAt(e.Range(), "Not a string", "this expression did not produce a known string.")}
	}
	return v.AsString(), nil
}
