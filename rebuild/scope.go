package rebuild

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/internal/cmdline"
	"github.com/tfrebuild/tfrebuild/stages"
)

// Scope is what a run builds: the optional stacks it includes (--with)
// and, for a targeted re-run, the stacks it runs (--only), with their
// upstream stacks when WithDeps. A rebuild in progress remembers its
// scope in the checkpoint, so that a resume builds what was started.
type Scope struct {
	With     []string
	Only     []string
	WithDeps bool
}

// normal is the scope with sorted, unique names; an optional stack named
// by --only is part of the run, as if --with named it too.
func (s Scope) normal(cfg *config.Config) Scope {
	with := append([]string(nil), s.With...)
	for _, o := range s.Only {
		if st := cfg.Stack(o); st != nil && st.Optional {
			with = append(with, o)
		}
	}
	out := Scope{With: sortedUnique(with), Only: sortedUnique(s.Only), WithDeps: s.WithDeps && len(s.Only) > 0}
	return out
}

func sortedUnique(list []string) []string {
	out := slices.Clone(list)
	slices.Sort(out)
	return slices.Compact(out)
}

func (s Scope) equal(o Scope) bool {
	return slices.Equal(s.With, o.With) && slices.Equal(s.Only, o.Only) && s.WithDeps == o.WithDeps
}

// Flags is the scope as command-line flags: " --with a --only b --with-deps".
func (s Scope) Flags() string {
	if w := s.words(); len(w) > 0 {
		return " " + cmdline.Join(w...)
	}
	return ""
}

func (s Scope) words() []string { return cmdline.Scope(s.With, s.Only, s.WithDeps) }

// describe is the scope in words, for messages.
func (s Scope) describe() string {
	if f := strings.TrimSpace(s.Flags()); f != "" {
		return f
	}
	return "no --with or --only"
}

// ApplyCommand is the command that runs apply again with a scope: the
// hint a stopped rebuild prints.
func ApplyCommand(configFile string, s Scope, more ...string) string {
	return cmdline.Tfrebuild("apply", configFile, nil, append(s.words(), more...)...)
}

func scopeOf(c *checkpoint.Checkpoint) Scope {
	return Scope{With: c.With, Only: c.Only, WithDeps: c.WithDeps}
}

// buildPipeline is the pipeline of a (normal) scope. With --only, every
// stage outside the selection is skipped and kept as the checkpoint has
// it: kept lists them. The selection is preflight, state, registries, the
// named stacks (and, WithDeps, every stack they depend on), their
// restores, and the checks that look only at selected stacks; manual
// steps are not part of a targeted re-run.
func buildPipeline(cfg *config.Config, s Scope) (p *stages.Pipeline, kept map[string]bool, err error) {
	p, err = stages.Build(cfg, s.With)
	if err != nil || len(s.Only) == 0 {
		return p, nil, err
	}
	absent := stages.Absent(cfg, s.With)
	selected := map[string]bool{}
	var add func(name string)
	add = func(name string) {
		if selected[name] {
			return
		}
		selected[name] = true
		if s.WithDeps {
			for _, d := range cfg.StackDeps(cfg.Stack(name)) {
				if !absent[d] {
					add(d)
				}
			}
		}
	}
	for _, o := range s.Only {
		if cfg.Stack(o) == nil {
			return nil, nil, fmt.Errorf("--only %s: there is no stack %q in %s", o, o, cfg.Filename)
		}
		add(o)
	}
	run := map[string]bool{"preflight": true, "state": true, "registries": true}
	for _, st := range p.Stages {
		switch st.Kind {
		case stages.KindStack:
			run[st.Name] = selected[st.Target]
		case stages.KindRestore, stages.KindImport:
			r := cfg.Restore(st.Target)
			run[st.Name] = r != nil && selected[r.Stack]
		case stages.KindCheck:
			run[st.Name] = onlySelected(st, run)
		}
	}
	kept = map[string]bool{}
	for _, st := range p.Stages {
		if !run[st.Name] {
			if !st.Skipped {
				kept[st.Name] = true
			}
			st.Skipped, st.Deps = true, nil
			continue
		}
		st.Deps = slices.DeleteFunc(st.Deps, func(d string) bool { return !run[d] })
		if len(st.Deps) == 0 && st.Name != "preflight" {
			st.Deps = []string{"registries"}
		}
	}
	return p, kept, nil
}

// onlySelected reports whether every stack or restore a check waits for
// is selected.
func onlySelected(st *stages.Stage, run map[string]bool) bool {
	for _, d := range st.Deps {
		if (strings.HasPrefix(d, "stack.") || strings.HasPrefix(d, "restore.")) && !run[d] {
			return false
		}
	}
	return true
}

// applied reports whether a rebuild recorded in c has done anything past
// preflight: a checkpoint that has not (the guard refused the account, the
// config had a typo) binds neither the target nor the scope.
func applied(c *checkpoint.Checkpoint) bool {
	for name, rec := range c.Stages {
		if name != "preflight" && (rec.Attempts > 0 || rec.Status == stages.Done) {
			return true
		}
	}
	return false
}

// inProgress reports whether c holds a rebuild that has started and not
// completed in its own scope; destroy ends one.
func inProgress(cfg *config.Config, c *checkpoint.Checkpoint) bool {
	if c.StartedAt.IsZero() || !applied(c) {
		// Never begun, or ended by destroy.
		return false
	}
	p, _, err := buildPipeline(cfg, scopeOf(c).normal(cfg))
	if err != nil {
		// The recorded scope names a stack the config no longer has.
		return true
	}
	return !c.Complete(p)
}
