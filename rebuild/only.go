package rebuild

import (
	"context"
	"fmt"
	"strings"

	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/stages"
)

// keptUpstream lists the stacks st depends on that an --only run does not
// run: their outputs come from their state.
func (c *core) keptUpstream(st *config.Stack) []*config.Stack {
	var out []*config.Stack
	for _, d := range c.cfg.StackDeps(st) {
		if c.kept["stack."+d] {
			out = append(out, c.cfg.Stack(d))
		}
	}
	return out
}

// checkKeptUpstream refuses, before anything is written, an --only run
// whose stacks depend on a stack this rebuild has not applied.
func (a *applier) checkKeptUpstream() error {
	var problems []string
	for _, s := range a.pipeline.Stages {
		if s.Kind != stages.KindStack || s.Skipped {
			continue
		}
		for _, up := range a.keptUpstream(a.cfg.Stack(s.Target)) {
			a.mu.Lock()
			rec := a.ckpt.Lookup("stack." + up.Name)
			a.mu.Unlock()
			if rec == nil || rec.Status != stages.Done {
				status := stages.Pending
				if rec != nil {
					status = rec.Status
				}
				problems = append(problems, fmt.Sprintf("stack %q needs the outputs of %q, which is %s in this rebuild", s.Target, up.Name, status))
			}
		}
	}
	if len(problems) == 0 {
		return nil
	}
	sc := a.opts.scope().normal(a.cfg)
	sc.WithDeps = true
	return fmt.Errorf("--only: %s; apply its upstream stacks too:\n  %s", strings.Join(problems, "; "), ApplyCommand(a.cfg.Filename, sc))
}

// readKept makes the outputs of st's kept upstream stacks visible to its
// inputs, read from their state as the last apply left it.
func (c *core) readKept(ctx context.Context, st *config.Stack) error {
	for _, up := range c.keptUpstream(st) {
		ts := c.tfStack(up)
		outs, exists, err := c.stackOutputs(ctx, ts)
		if err != nil {
			return fmt.Errorf("read the outputs of stack %q for %s's inputs: %w", up.Name, st.Name, err)
		}
		if !exists {
			return fmt.Errorf("--only %s: stack %q it depends on has no state (%s); add --with-deps to run it too", st.Name, up.Name, ts.Backend.Key)
		}
		c.mu.Lock()
		c.scope.SetOutputs(up.Name, outs.Values)
		c.sensitive[up.Name] = outs.Sensitive
		c.mu.Unlock()
		c.note("stack."+st.Name, fmt.Sprintf("inputs from %s's state (not run: --only)", up.Name))
	}
	return nil
}
