package rebuild

import (
	"context"

	"github.com/tfrebuild/tfrebuild/outcome"
	"github.com/tfrebuild/tfrebuild/terraform"
)

// A sensitive output wired into a variable its stack does not declare
// sensitive reaches Terraform as a plain value: Terraform then shows it
// in the plan's diff and in the outputs that echo it. tfrebuild knows the
// values of every sensitive output it reads (the bus holds them), and
// every rendering of its own hides them however they were wired.

// redactPlan masks, in a plan report, every attribute value that holds a
// value tfrebuild knows came from a sensitive output, and scrubs the
// notes and errors: the text plan, plan --markdown and the GitHub step
// summary all render this report.
func (p *planner) redactPlan(rep *outcome.PlanReport) {
	if rep == nil {
		return
	}
	mask := func(s string) string {
		if s != "" && p.bus.Redact(s) != s {
			return terraform.SensitiveText
		}
		return s
	}
	for _, st := range rep.Stages {
		st.Error = p.bus.Redact(st.Error)
		for i, n := range st.Notes {
			st.Notes[i] = p.bus.Redact(n)
		}
		for i := range st.Actions {
			a := &st.Actions[i]
			a.Detail = p.bus.Redact(a.Detail)
			for j := range a.Attrs {
				a.Attrs[j].Before, a.Attrs[j].After = mask(a.Attrs[j].Before), mask(a.Attrs[j].After)
			}
		}
	}
}

// learnSecrets reads a stack's current outputs from its state, so that
// the bus knows its sensitive values as they are before a plan changes
// them (a downstream diff shows the old value too). A stack whose state
// cannot be read teaches nothing; its plan reports the failure itself.
func (c *core) learnSecrets(ctx context.Context, ts terraform.Stack) {
	_, _, _ = c.stackOutputs(ctx, ts)
}

// derivedSensitive marks, in outputs read for `tfrebuild output`, the
// values that hold a value of a sensitive output: a plain output that
// echoes a variable fed from one.
func (c *core) derivedSensitive(so *StackOutputs) {
	for name, v := range so.Values {
		if so.Sensitive[name] {
			continue
		}
		for _, text := range secretTexts(v) {
			if c.bus.Redact(text) != text {
				if so.Sensitive == nil {
					so.Sensitive = map[string]bool{}
				}
				so.Sensitive[name] = true
				break
			}
		}
	}
}
