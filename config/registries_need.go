package config

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// NeedsRegistries says whether a stack waits for the registries stage.
// Most stacks do not use a container registry, and a rebuild should not
// hold them back for one: a stack waits when
//
//   - it says so: depends_on = [registry.NAME];
//   - it names a registry's repository: in a string of its inputs, or in
//     the text of any of its files (a data source, an image URL, a
//     policy), the whole name bounded by characters no repository name
//     holds; a false match only costs the wait;
//   - a registry block asks every stack to wait (before_stacks = true),
//     the order every rebuild had before this rule.
func (c *Config) NeedsRegistries(s *Stack) bool {
	if len(c.Registries) == 0 {
		return false
	}
	var names []string
	for _, r := range c.Registries {
		if r.BeforeStacks {
			return true
		}
		names = append(names, r.Name)
	}
	for _, d := range s.DependsOn {
		if d.Kind == "registry" {
			return true
		}
	}
	for _, in := range s.Inputs {
		for _, lit := range stringLiterals(in.Expr) {
			if namesAny(lit, names) {
				return true
			}
		}
	}
	if s.Files == nil {
		return true // unread: wait, as before
	}
	for _, f := range s.Files.Files {
		b, err := os.ReadFile(filepath.Join(s.SourceDir, filepath.FromSlash(f)))
		if err != nil || namesAny(string(b), names) {
			return true
		}
	}
	return false
}

// stringLiterals are the literal strings in an expression (template
// parts included).
func stringLiterals(e hcl.Expression) []string {
	se, ok := e.(hclsyntax.Expression)
	if !ok {
		return nil
	}
	var out []string
	_ = hclsyntax.VisitAll(se, func(n hclsyntax.Node) hcl.Diagnostics {
		if l, ok := n.(*hclsyntax.LiteralValueExpr); ok && l.Val.Type() == cty.String && l.Val.IsKnown() && !l.Val.IsNull() {
			out = append(out, l.Val.AsString())
		}
		return nil
	})
	return out
}

// namesAny reports whether text holds one of names bounded on both sides
// by a character a repository name cannot hold (or the text's ends).
func namesAny(text string, names []string) bool {
	for _, n := range names {
		for i := 0; n != ""; {
			j := strings.Index(text[i:], n)
			if j < 0 {
				break
			}
			start, end := i+j, i+j+len(n)
			if (start == 0 || !repoChar(text[start-1])) && (end == len(text) || !repoChar(text[end])) {
				return true
			}
			i = start + 1
		}
	}
	return false
}

// repoChar is a character an ECR repository name may hold.
func repoChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
}
