package config

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

// validate checks what spans blocks: references and dependency cycles.
func (p *parser) validate() {
	c := p.cfg
	names := map[string][]string{}
	for _, s := range c.Stacks {
		names["stack"] = append(names["stack"], s.Name)
	}
	for _, ch := range c.Checks {
		names["check"] = append(names["check"], ch.Name)
	}
	for _, st := range c.Steps {
		names["step"] = append(names["step"], st.Name)
	}
	for _, r := range c.Registries {
		names["registry"] = append(names["registry"], r.Label)
	}
	known := func(r Ref) bool { return contains(names[r.Kind], r.Name) }
	unknown := func(kind, name string, rng hcl.Range) {
		p.add(errorAt(rng, "Reference to undeclared "+kind,
			fmt.Sprintf("there is no %s %q in this config.%s", kind, name, didYouMean(name, names[kind]))))
	}
	for _, s := range c.Stacks {
		for _, r := range s.DependsOn {
			if !known(r) {
				unknown(r.Kind, r.Name, r.Range)
			}
		}
		for _, in := range s.Inputs {
			for _, o := range in.Outputs {
				if c.Stack(o.Stack) == nil {
					unknown("stack", o.Stack, o.Range)
				}
			}
			p.validatePlaces(in.Places)
		}
	}
	for _, ch := range c.Checks {
		p.validatePlaces(ch.Places)
		for _, o := range ch.Outputs {
			if c.Stack(o.Stack) == nil {
				unknown("stack", o.Stack, o.Range)
			}
		}
	}
	for _, st := range c.Steps {
		for _, r := range st.After {
			if !known(r) {
				unknown(r.Kind, r.Name, r.Range)
			}
		}
	}
	p.validateAccounts()
	p.checkRegistryNames()
	p.validateRestores(names["stack"])
	p.add(c.stackCycles()...)
	p.add(c.stepCycles()...)
	if c.Checkpoint.Store == "dynamodb" && c.State.LockTable == "" && c.State.Range != (hcl.Range{}) {
		p.add(errorAt(c.State.Range, "Checkpoint store needs a lock table",
			`checkpoint { store = "dynamodb" } keeps the checkpoint in state.lock_table; set lock_table.`))
	}
	if c.Terraform.Range == (hcl.Range{}) {
		p.add(&hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Terraform version not pinned",
			Detail: `add terraform { version = "1.11.4" } so that every rebuild uses the same Terraform.`})
	}
}

// stackCycles finds dependency cycles among stacks (Tarjan's strongly
// connected components) and reports each once, naming every member.
func (c *Config) stackCycles() hcl.Diagnostics {
	edges := map[string][]string{}
	ranges := map[string]hcl.Range{}
	for _, s := range c.Stacks {
		edges[s.Name] = c.StackDeps(s)
		ranges[s.Name] = s.Range
		for _, r := range s.DependsOn {
			if r.Name == s.Name {
				ranges[s.Name] = r.Range
			}
		}
	}
	return cycles("stack", c.stackNames(), edges, ranges)
}

func (c *Config) stepCycles() hcl.Diagnostics {
	edges := map[string][]string{}
	ranges := map[string]hcl.Range{}
	var order []string
	for _, s := range c.Steps {
		order = append(order, s.Name)
		ranges[s.Name] = s.Range
		for _, r := range s.After {
			if r.Kind == "step" {
				edges[s.Name] = append(edges[s.Name], r.Name)
			}
		}
	}
	return cycles("step", order, edges, ranges)
}

func (c *Config) stackNames() []string {
	out := make([]string, len(c.Stacks))
	for i, s := range c.Stacks {
		out[i] = s.Name
	}
	return out
}
