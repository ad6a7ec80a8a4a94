package rebuild

import (
	"context"
	"fmt"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/stages"
)

// OutputOptions steer ReadOutputs.
type OutputOptions struct {
	// Stack names one stack; "" reads every stack.
	Stack    string
	Download bool
	Deps     Deps
}

// StackOutputs are one stack's outputs as its state has them. Sensitive
// values are here too: the caller decides whether to show them.
type StackOutputs struct {
	Stack string
	// Applied is false when the stack has no state yet.
	Applied   bool
	Values    map[string]cty.Value
	Sensitive map[string]bool
}

// ReadOutputs reads stack outputs from their state, read-only and behind
// the guard, like the outputs a downstream stack receives.
func ReadOutputs(ctx context.Context, cfg *config.Config, opts OutputOptions) ([]StackOutputs, error) {
	list := cfg.Stacks
	if opts.Stack != "" {
		st := cfg.Stack(opts.Stack)
		if st == nil {
			var names []string
			for _, s := range cfg.Stacks {
				names = append(names, s.Name)
			}
			return nil, fmt.Errorf("there is no stack %q in %s (stacks: %s)", opts.Stack, cfg.Filename, strings.Join(names, ", "))
		}
		list = []*config.Stack{st}
	}
	c := newCore(cfg, &stages.Pipeline{}, Common{Download: opts.Download, Deps: opts.Deps}, "output", "output")
	defer c.closeTerraform()
	if err := c.preflight(ctx); err != nil {
		return nil, err
	}
	if err := c.ownState(ctx); err != nil {
		return nil, err
	}
	// What the listed stacks were fed from: their sensitive values are
	// masked wherever the listed stacks echo them.
	for _, up := range cfg.UpstreamOf(list) {
		c.learnSecrets(ctx, c.tfStack(up))
	}
	var out []StackOutputs
	for _, st := range list {
		ts := c.tfStack(st)
		outs, exists, err := c.stackOutputs(ctx, ts)
		if err != nil {
			return nil, fmt.Errorf("read the outputs of stack %q: %w", st.Name, err)
		}
		so := StackOutputs{Stack: st.Name, Applied: exists, Values: outs.Values, Sensitive: outs.Sensitive}
		out = append(out, so)
	}
	for i := range out {
		c.derivedSensitive(&out[i])
	}
	if opts.Stack != "" && !out[0].Applied {
		return out, fmt.Errorf("stack %q has no state yet (%s): apply it first", opts.Stack, c.tfStack(list[0]).Backend.Key)
	}
	return out, nil
}
