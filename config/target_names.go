package config

import (
	"fmt"
	"path/filepath"
	"strings"
)

// TargetID names the target a config rebuilds: its account, region,
// project and config file ("123456789012/eu-west-2/api/rebuild.hcl").
// What tfrebuild creates carries it as a tag (bootstrap.TagTarget), and a
// teardown deletes only what carries this target's: production and its DR
// config share a project, and the registries of a management account.
func (cfg *Config) TargetID() string {
	name := "rebuild.hcl"
	if cfg.Filename != "" {
		name = filepath.Base(cfg.Filename)
	}
	return strings.Join([]string{cfg.Target.AccountID, cfg.Target.Region, tagSafe(cfg.Project), tagSafe(name)}, "/")
}

// tagSafe keeps the characters every AWS service accepts in a tag value.
func tagSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("_.:=+-@", r):
			return r
		}
		return '_'
	}, s)
}

// RestoreNames resolves the names a flag gives (each a restore block, or
// the table or bucket it brings back) to restore block names; a name no
// block restores is an error that lists the blocks. Commands check
// --accept-existing and --restore before anything runs (a drill would
// otherwise tear down after an apply refused them).
func (cfg *Config) RestoreNames(flag string, names []string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, n := range names {
		found := false
		for _, r := range cfg.Restores {
			if r.Name == n || r.Resource() == n {
				out[r.Name], found = true, true
			}
		}
		if !found {
			var known []string
			for _, r := range cfg.Restores {
				known = append(known, fmt.Sprintf("%s (%s)", r.Name, r.Resource()))
			}
			if len(known) == 0 {
				known = []string{"none"}
			}
			return nil, fmt.Errorf("%s %s: no restore block of %s restores that; restores: %s",
				flag, n, cfg.Filename, strings.Join(known, ", "))
		}
	}
	return out, nil
}

// UpstreamOf is every stack the listed stacks depend on, directly or not,
// outside the list.
func (cfg *Config) UpstreamOf(list []*Stack) []*Stack {
	seen := map[string]bool{}
	for _, st := range list {
		seen[st.Name] = true
	}
	var out []*Stack
	var walk func(st *Stack)
	walk = func(st *Stack) {
		for _, d := range cfg.StackDeps(st) {
			if seen[d] {
				continue
			}
			seen[d] = true
			if up := cfg.Stack(d); up != nil {
				out = append(out, up)
				walk(up)
			}
		}
	}
	for _, st := range list {
		walk(st)
	}
	return out
}

// RestoreStagesOf names the restore stages whose data goes with the
// stacks given by stage name ("stack.NAME"), with the import stages of
// the tables among them: a teardown forgets them with their stacks.
func (cfg *Config) RestoreStagesOf(stacks map[string]bool) []string {
	var out []string
	for _, r := range cfg.Restores {
		if stacks["stack."+r.Stack] {
			out = append(out, "restore."+r.Name)
			if r.BeforeStack() {
				out = append(out, "import."+r.Name)
			}
		}
	}
	return out
}
