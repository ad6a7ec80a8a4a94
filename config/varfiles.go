package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
)

// varFiles decodes a stack's var_files = ["..."]: paths relative to the
// config directory, each of which must be a readable .tfvars (or
// .tfvars.json) file that parses. The variables they set count as given
// when validate checks the stack's required variables.
func (p *parser) varFiles(s *Stack, a *hcl.Attribute) {
	exprs, diags := hcl.ExprList(a.Expr)
	if diags.HasErrors() {
		p.add(errorAt(a.Expr.Range(), "Invalid var_files", `var_files must be a list of paths: var_files = ["prod.tfvars"].`))
		return
	}
	s.varFileVars = map[string]hcl.Range{}
	for _, e := range exprs {
		v, d := e.Value(literalContext)
		if d.HasErrors() {
			p.add(scrub(d)...)
			continue
		}
		rel, err := convertString(v)
		if err != nil || rel == "" {
			p.add(errorAt(e.Range(), "Invalid var_files", "each entry of var_files must be a non-empty path string."))
			continue
		}
		path := rel
		if !filepath.IsAbs(path) {
			path = filepath.Join(p.cfg.Dir, filepath.FromSlash(rel))
		}
		path = filepath.Clean(path)
		if contains(s.VarFiles, path) {
			p.add(errorAt(e.Range(), "Duplicate var file", fmt.Sprintf("stack %q lists %q twice.", s.Name, rel)))
			continue
		}
		keys, diag := readVarFile(path, rel, s.Name, e.Range())
		if diag != nil {
			p.add(diag)
			continue
		}
		p.add(keys.diags...)
		for name := range keys.names {
			s.varFileVars[name] = e.Range()
		}
		s.VarFiles = append(s.VarFiles, path)
	}
}

type varFileKeys struct {
	names map[string]bool
	diags hcl.Diagnostics
}

func readVarFile(path, rel, stack string, rng hcl.Range) (varFileKeys, *hcl.Diagnostic) {
	st, err := os.Stat(path)
	if err != nil || !st.Mode().IsRegular() {
		return varFileKeys{}, errorAt(rng, "Var file not found",
			fmt.Sprintf("stack %q: %q is not a file (looked at %s); var_files are relative to the config file.", stack, rel, path))
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return varFileKeys{}, errorAt(rng, "Cannot read var file", fmt.Sprintf("stack %q: %v.", stack, err))
	}
	var f *hcl.File
	var diags hcl.Diagnostics
	if strings.HasSuffix(path, ".json") {
		f, diags = hcljson.Parse(src, path)
	} else {
		f, diags = hclsyntax.ParseConfig(src, path, hcl.InitialPos)
	}
	out := varFileKeys{names: map[string]bool{}}
	if diags.HasErrors() {
		out.diags = scrub(diags)
		return out, nil
	}
	attrs, diags := f.Body.JustAttributes()
	out.diags = scrub(diags)
	for name := range attrs {
		out.names[name] = true
	}
	return out, nil
}
