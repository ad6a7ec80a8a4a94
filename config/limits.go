package config

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// What apply cannot do, refused by validate before anything is written.

// maxName is the longest project or block name: names become state keys,
// work folders, DynamoDB keys and tag values (the target tag holds the
// project), and a name far longer fails only when that is made.
const maxName = 64

// required reads a string attribute that must have a value: null or ""
// is an error at the attribute (a value of another type is reported by
// str as such).
func (p *parser) required(a *hcl.Attribute) string {
	s := p.str(a)
	if s != "" {
		return s
	}
	v, diags := a.Expr.Value(literalContext)
	if diags.HasErrors() || !v.IsWhollyKnown() || (!v.IsNull() && v.Type() != cty.String) {
		return s
	}
	p.add(errorAt(a.Expr.Range(), "Empty "+a.Name, fmt.Sprintf("%s must not be empty (it is %s); give it a value.", a.Name, emptyKind(v))))
	return s
}

func emptyKind(v cty.Value) string {
	if v.IsNull() {
		return "null"
	}
	return `""`
}

// checkNameLength refuses a project or block name longer than maxName.
func (p *parser) checkNameLength(what, name string, rng hcl.Range) {
	if n := len([]rune(name)); n > maxName {
		p.add(errorAt(rng, "Name too long", fmt.Sprintf("%s is %d characters; use at most %d characters: it becomes state keys, work folders, DynamoDB keys and tags.",
			what, n, maxName)))
	}
}

// checkSource refuses a stack source that holds the config's state
// folder: apply copies a stack's source into that folder, and would copy
// the folder into itself.
func (p *parser) checkSource(s *Stack) {
	if s.SourceDir == "" {
		return
	}
	state := p.cfg.StateDir()
	if within(state, s.SourceDir) {
		p.add(errorAt(s.SourceRange, "Stack source holds the state folder",
			fmt.Sprintf("source %q is %s, which holds the config's state folder %s (tfrebuild copies a stack's source there); "+
				"put the stack's files in a folder of their own, such as stacks/%s.", s.Source, s.SourceDir, state, s.Name)))
	}
}

// within reports whether path lies inside (or is) dir.
func within(path, dir string) bool {
	rel, err := filepath.Rel(filepath.Clean(dir), filepath.Clean(path))
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// checkRegistryNames refuses two registry blocks that name one repository
// in one account: the last would silently win, and each run would flip
// the settings they disagree on.
func (p *parser) checkRegistryNames() {
	seen := map[string]*Registry{}
	for _, r := range p.cfg.Registries {
		if r.Name == "" {
			continue
		}
		key := r.Account + "\x00" + r.Name
		if first := seen[key]; first != nil {
			p.add(errorAt(r.NameRange, "Duplicate repository",
				fmt.Sprintf("registry %q (%s) already names repository %q; one block per repository: remove one, or give it another name.",
					first.Label, posString(first.NameRange), r.Name)))
			continue
		}
		seen[key] = r
	}
}
