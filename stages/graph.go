package stages

import (
	"fmt"
	"sort"

	"github.com/tfrebuild/tfrebuild/config"
)

// Kind is what a stage does.
type Kind string

const (
	KindPreflight  Kind = "preflight"
	KindState      Kind = "state"
	KindRegistries Kind = "registries"
	KindStack      Kind = "stack"
	KindCheck      Kind = "check"
	KindStep       Kind = "step"
	KindRestore    Kind = "restore"
	// KindImport adopts a table a restore brought back into its stack's
	// state (stage import.NAME, for a DynamoDB restore).
	KindImport Kind = "import"
)

// Stage is one node of the pipeline. It is pure data: what runs it is
// decided by the caller of Run.
type Stage struct {
	Name   string // "preflight", "state", "registries", "stack.NAME", ...
	Kind   Kind
	Target string // the block name for stack, restore, check and step stages
	Deps   []string
	// Skipped marks an optional stack that is not part of this run; its
	// dependents do not wait for it.
	Skipped bool
}

// Pipeline is the stage graph of one run, in a stable topological order.
type Pipeline struct {
	Stages []*Stage
	byName map[string]*Stage
}

// Get returns a stage by name, or nil.
func (p *Pipeline) Get(name string) *Stage { return p.byName[name] }

// Dependents returns the stages that depend on name directly.
func (p *Pipeline) Dependents(name string) []string {
	var out []string
	for _, s := range p.Stages {
		for _, d := range s.Deps {
			if d == name {
				out = append(out, s.Name)
			}
		}
	}
	return out
}

// Build turns a validated config into the pipeline: preflight, state,
// registries, the stacks in dependency order with their restores, checks,
// then steps. with names the optional stacks to include. A stack waits
// for the registries only when it needs them (config.NeedsRegistries).
//
// Data first: a DynamoDB restore (restore.NAME) starts as soon as
// preflight has passed, since the restore call needs only the source and
// the table's name; its import into the stack's state (import.NAME) needs
// the backend and the stack's inputs, so it waits for the restore and for
// what the stack waits for, and the stack waits for the import. An S3
// restore runs after its stack (which creates the bucket); checks and
// steps that wait for a stack wait for its S3 restores too.
func Build(cfg *config.Config, with []string) (*Pipeline, error) {
	want := map[string]bool{}
	for _, w := range with {
		s := cfg.Stack(w)
		if s == nil {
			return nil, fmt.Errorf("--with %s: there is no stack %q in %s", w, w, cfg.Filename)
		}
		if !s.Optional {
			return nil, fmt.Errorf("--with %s: stack %q is not optional; it always runs", w, w)
		}
		want[w] = true
	}
	p := &Pipeline{byName: map[string]*Stage{}}
	add := func(s *Stage) { p.Stages = append(p.Stages, s); p.byName[s.Name] = s }
	add(&Stage{Name: "preflight", Kind: KindPreflight})
	add(&Stage{Name: "state", Kind: KindState, Deps: []string{"preflight"}})
	add(&Stage{Name: "registries", Kind: KindRegistries, Deps: []string{"state"}})

	absent := Absent(cfg, with)
	restoresBefore, restoresAfter := restoreStages(cfg)
	// withData is what "stack X is done" means to checks and steps.
	withData := func(stack string) []string {
		return append([]string{"stack." + stack}, restoresAfter[stack]...)
	}
	var last []string
	for _, s := range cfg.Stacks {
		skipped := absent[s.Name]
		deps := []string{"state"}
		if cfg.NeedsRegistries(s) {
			deps = []string{"registries"}
		}
		for _, d := range cfg.StackDeps(s) {
			if !absent[d] {
				deps = append(deps, "stack."+d)
			}
		}
		stackDeps := append([]string(nil), deps...)
		for _, r := range restoresBefore[s.Name] {
			name := r[len("restore."):]
			add(&Stage{Name: r, Kind: KindRestore, Target: name, Deps: []string{"preflight"}, Skipped: skipped})
			add(&Stage{Name: "import." + name, Kind: KindImport, Target: name, Skipped: skipped,
				Deps: append(append([]string(nil), deps...), r)})
			stackDeps = append(stackDeps, "import."+name)
		}
		add(&Stage{Name: "stack." + s.Name, Kind: KindStack, Target: s.Name, Skipped: skipped, Deps: stackDeps})
		for _, r := range restoresAfter[s.Name] {
			add(&Stage{Name: r, Kind: KindRestore, Target: r[len("restore."):], Deps: []string{"stack." + s.Name}, Skipped: skipped})
		}
		if !skipped {
			last = append(last, withData(s.Name)...)
		}
	}
	if len(last) == 0 {
		last = []string{"registries"}
	}
	for _, c := range cfg.Checks {
		st := &Stage{Name: "check." + c.Name, Kind: KindCheck, Target: c.Name}
		for _, o := range c.Outputs {
			if !absent[o.Stack] {
				for _, d := range withData(o.Stack) {
					st.Deps = appendUnique(st.Deps, d)
				}
			}
		}
		if len(st.Deps) == 0 {
			st.Deps = last
		}
		add(st)
	}
	for _, s := range cfg.Steps {
		st := &Stage{Name: "step." + s.Name, Kind: KindStep, Target: s.Name}
		for _, r := range s.After {
			switch {
			case r.Kind == "stack" && absent[r.Name]:
			case r.Kind == "stack":
				for _, d := range withData(r.Name) {
					st.Deps = appendUnique(st.Deps, d)
				}
			default:
				st.Deps = appendUnique(st.Deps, r.Stage())
			}
		}
		if len(st.Deps) == 0 {
			st.Deps = last
		}
		add(st)
	}
	return p, p.sort()
}

// restoreStages returns, per stack, the names of the restore stages that
// run before it and after it, in declaration order.
func restoreStages(cfg *config.Config) (before, after map[string][]string) {
	before, after = map[string][]string{}, map[string][]string{}
	for _, r := range cfg.Restores {
		if r.BeforeStack() {
			before[r.Stack] = append(before[r.Stack], "restore."+r.Name)
		} else {
			after[r.Stack] = append(after[r.Stack], "restore."+r.Name)
		}
	}
	return before, after
}

// Absent lists the optional stacks that a run with these --with names leaves out.
func Absent(cfg *config.Config, with []string) map[string]bool {
	out := map[string]bool{}
	for _, s := range cfg.Stacks {
		if s.Optional && !contains(with, s.Name) {
			out[s.Name] = true
		}
	}
	return out
}

// sort orders stages so that every stage comes after its dependencies,
// keeping declaration order among independent stages.
func (p *Pipeline) sort() error {
	pos := map[string]int{}
	for i, s := range p.Stages {
		pos[s.Name] = i
	}
	done := map[string]bool{}
	var out []*Stage
	for len(out) < len(p.Stages) {
		var ready []*Stage
		for _, s := range p.Stages {
			if done[s.Name] {
				continue
			}
			ok := true
			for _, d := range s.Deps {
				if p.byName[d] == nil {
					return fmt.Errorf("stage %s depends on unknown stage %s", s.Name, d)
				}
				ok = ok && done[d]
			}
			if ok {
				ready = append(ready, s)
			}
		}
		if len(ready) == 0 {
			return fmt.Errorf("the stage graph has a cycle")
		}
		sort.SliceStable(ready, func(i, j int) bool { return pos[ready[i].Name] < pos[ready[j].Name] })
		for _, s := range ready {
			done[s.Name] = true
		}
		out = append(out, ready...)
	}
	p.Stages = out
	return nil
}

func appendUnique(list []string, s string) []string {
	if contains(list, s) {
		return list
	}
	return append(list, s)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// BuildDestroy is the teardown pipeline: preflight, then the stacks in
// reverse dependency order (a stack goes after everything that depends on
// it), then, with all, the registries and the state bucket and table.
func BuildDestroy(cfg *config.Config, with []string, all bool) (*Pipeline, error) {
	fwd, err := Build(cfg, with)
	if err != nil {
		return nil, err
	}
	p := &Pipeline{byName: map[string]*Stage{}}
	add := func(s *Stage) { p.Stages = append(p.Stages, s); p.byName[s.Name] = s }
	add(&Stage{Name: "preflight", Kind: KindPreflight})
	var stacks []string
	for _, s := range fwd.Stages {
		if s.Kind != KindStack {
			continue
		}
		st := &Stage{Name: s.Name, Kind: KindStack, Target: s.Target, Skipped: s.Skipped, Deps: []string{"preflight"}}
		for _, d := range fwd.Dependents(s.Name) {
			if ds := fwd.Get(d); ds.Kind == KindStack && !ds.Skipped {
				st.Deps = append(st.Deps, d)
			}
		}
		add(st)
		if !st.Skipped {
			stacks = append(stacks, st.Name)
		}
	}
	if all {
		after := append([]string{"preflight"}, stacks...)
		add(&Stage{Name: "registries", Kind: KindRegistries, Deps: after})
		add(&Stage{Name: "state", Kind: KindState, Deps: append(after, "registries")})
	}
	return p, p.sort()
}
