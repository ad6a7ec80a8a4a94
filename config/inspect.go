package config

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
)

// Module is what tfrebuild learns from a stack's .tf files without running
// Terraform: enough to check the wiring in rebuild.hcl before anything runs.
type Module struct {
	Dir          string
	Files        []string // configuration files the engine reads, sorted, relative to Dir
	Backend      string   // backend type; "" when none is declared
	Variables    map[string]*Variable
	Outputs      map[string]*Output
	LocalModules []string // module sources that start with ./ or ../
	Resources    []string // managed resources of the root module, TYPE.NAME, sorted
}

// Variable is a declared input variable.
type Variable struct {
	Name      string
	Required  bool // no default
	Sensitive bool
	File      string
}

// Output is a declared output.
type Output struct {
	Name      string
	Sensitive bool
	File      string
}

var moduleSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
	{Type: "terraform"},
	{Type: "variable", LabelNames: []string{"name"}},
	{Type: "output", LabelNames: []string{"name"}},
	{Type: "module", LabelNames: []string{"name"}},
	{Type: "resource", LabelNames: []string{"type", "name"}},
}}

// InspectModule reads the configuration files the engine reads at the
// top of a stack's file set (see FileSet.ConfigFiles). Diagnostics point
// into those files.
func InspectModule(set *FileSet, engine string) (*Module, hcl.Diagnostics) {
	m := &Module{Dir: set.Dir, Variables: map[string]*Variable{}, Outputs: map[string]*Output{}}
	var diags hcl.Diagnostics
	for _, name := range set.ConfigFiles(".", engine) {
		m.Files = append(m.Files, name)
		path := set.Path(name)
		src, err := readBounded(path)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot read " + path, Detail: err.Error()})
			continue
		}
		var f *hcl.File
		var d hcl.Diagnostics
		if configKind(name) == "json" {
			f, d = hcljson.Parse(src, path)
		} else {
			f, d = hclsyntax.ParseConfig(src, path, hcl.InitialPos)
		}
		diags = append(diags, d...)
		if d.HasErrors() || f == nil {
			continue
		}
		content, _, _ := f.Body.PartialContent(moduleSchema)
		for _, b := range content.Blocks {
			m.addBlock(b, name)
		}
	}
	sort.Strings(m.Resources)
	return m, diags
}

func (m *Module) addBlock(b *hcl.Block, file string) {
	attrs, _ := b.Body.JustAttributes()
	switch b.Type {
	case "terraform":
		inner, _, _ := b.Body.PartialContent(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "backend", LabelNames: []string{"type"}}}})
		for _, bb := range inner.Blocks {
			m.Backend = bb.Labels[0]
		}
	case "variable":
		_, hasDefault := attrs["default"]
		m.Variables[b.Labels[0]] = &Variable{Name: b.Labels[0], Required: !hasDefault, Sensitive: isTrue(attrs["sensitive"]), File: file}
	case "output":
		m.Outputs[b.Labels[0]] = &Output{Name: b.Labels[0], Sensitive: isTrue(attrs["sensitive"]), File: file}
	case "resource":
		m.Resources = append(m.Resources, b.Labels[0]+"."+b.Labels[1])
	case "module":
		if a := attrs["source"]; a != nil {
			if s, ok := literalString(a); ok && (strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../")) {
				m.LocalModules = append(m.LocalModules, s)
			}
		}
	}
}

// tofuKinds names the configuration file kinds the engine reads.
func tofuKinds(engine string) string {
	if engine == EngineOpenTofu {
		return ".tf, .tf.json, .tofu or .tofu.json"
	}
	return ".tf or .tf.json"
}

func isTrue(a *hcl.Attribute) bool {
	if a == nil {
		return false
	}
	v, d := a.Expr.Value(nil)
	return !d.HasErrors() && v.IsKnown() && !v.IsNull() && v.Type().Equals(ctyBool) && v.True()
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// inspectStacks reads every stack's source and checks the wiring: inputs
// against variables, references against outputs.
func (c *Config) inspectStacks() hcl.Diagnostics {
	var diags hcl.Diagnostics
	cache, files := map[string]*Module{}, map[string]*FileSet{}
	for _, s := range c.Stacks {
		if s.SourceDir == "" {
			continue
		}
		if m, ok := cache[s.SourceDir]; ok {
			s.Module, s.Files = m, files[s.SourceDir]
			continue
		}
		st, err := os.Stat(s.SourceDir)
		if err != nil || !st.IsDir() {
			diags = append(diags, errorAt(s.SourceRange, "Stack source not found",
				fmt.Sprintf("stack %q: %q is not a directory (looked in %s).", s.Name, s.Source, s.SourceDir)))
			cache[s.SourceDir] = nil
			continue
		}
		set, err := StackFiles(s.SourceDir)
		if err != nil {
			diags = append(diags, errorAt(s.SourceRange, "Stack source cannot be read",
				fmt.Sprintf("stack %q: %v", s.Name, err)))
			cache[s.SourceDir] = nil
			continue
		}
		s.Files = set
		m, d := InspectModule(set, c.Terraform.EngineName())
		diags = append(diags, d...)
		if m != nil && len(m.Files) == 0 {
			diags = append(diags, errorAt(s.SourceRange, "Stack source has no Terraform files",
				fmt.Sprintf("stack %q: %s holds no %s file.", s.Name, s.Source, tofuKinds(c.Terraform.EngineName()))))
			m = nil
		}
		if m != nil && m.Backend != "s3" {
			detail := fmt.Sprintf("stack %q: %s declares no backend; add terraform { backend \"s3\" {} } to one of its .tf files so tfrebuild can point it at the state bucket.", s.Name, s.Source)
			if m.Backend != "" {
				detail = fmt.Sprintf("stack %q: %s declares backend %q; tfrebuild bootstraps and configures an \"s3\" backend: use terraform { backend \"s3\" {} }.", s.Name, s.Source, m.Backend)
			}
			diags = append(diags, errorAt(s.SourceRange, "Stack has no s3 backend", detail))
		}
		cache[s.SourceDir], files[s.SourceDir] = m, set
		s.Module = m
	}
	for _, s := range c.Stacks {
		diags = append(diags, c.checkWiring(s)...)
	}
	for _, ch := range c.Checks {
		for _, o := range ch.Outputs {
			diags = append(diags, c.checkOutputRef(o)...)
		}
	}
	return diags
}

func (c *Config) checkWiring(s *Stack) hcl.Diagnostics {
	var diags hcl.Diagnostics
	if s.Module != nil {
		given := map[string]bool{}
		declared := sortedKeys(s.Module.Variables)
		for name := range s.varFileVars {
			given[name] = true
		}
		for name := range s.Env {
			if v, ok := strings.CutPrefix(name, "TF_VAR_"); ok {
				given[v] = true
			}
		}
		for _, in := range s.Inputs {
			given[in.Name] = true
			if s.Module.Variables[in.Name] == nil {
				diags = append(diags, errorAt(in.Range, "Unknown stack input",
					fmt.Sprintf("stack %q sets %q, but %s declares no such variable (it declares, in %s: %s).%s",
						s.Name, in.Name, s.Source, variableFiles(s.Module), listOrNone(declared), didYouMean(in.Name, declared))))
			}
		}
		for _, name := range sortedKeys(s.varFileVars) {
			if s.Module.Variables[name] == nil {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Undeclared variable in var file",
					Detail: fmt.Sprintf("stack %q: a var file sets %q, but %s declares no such variable; Terraform ignores it.%s",
						s.Name, name, s.Source, didYouMean(name, declared)), Subject: s.varFileVars[name].Ptr()})
			}
		}
		for _, name := range declared {
			v := s.Module.Variables[name]
			if v.Required && !given[name] {
				diags = append(diags, errorAt(s.Range, "Missing stack input",
					fmt.Sprintf("stack %q does not set %q, which %s declares without a default; add it to inputs or a var file.",
						s.Name, name, filepath.ToSlash(filepath.Join(s.Source, v.File)))))
			}
		}
	}
	for _, in := range s.Inputs {
		for _, o := range in.Outputs {
			diags = append(diags, c.checkOutputRef(o)...)
		}
	}
	if s.Module != nil {
		outs := sortedKeys(s.Module.Outputs)
		for _, name := range sortedKeys(s.MockOutputs) {
			if s.Module.Outputs[name] == nil {
				diags = append(diags, errorAt(s.MockOutputs[name].Range(), "Unknown mock output",
					fmt.Sprintf("stack %q (%s) declares no output %q to mock (it declares: %s).%s",
						s.Name, s.Source, name, listOrNone(outs), didYouMean(name, outs))))
			}
		}
	}
	return diags
}

func (c *Config) checkOutputRef(o OutputRef) hcl.Diagnostics {
	up := c.Stack(o.Stack)
	if up == nil || up.Module == nil || o.Output == "" {
		return nil
	}
	if up.Module.Outputs[o.Output] != nil {
		return nil
	}
	outs := sortedKeys(up.Module.Outputs)
	files := map[string]bool{}
	for _, out := range up.Module.Outputs {
		files[out.File] = true
	}
	where := up.Source
	if len(files) > 0 {
		where += " (" + strings.Join(sortedKeys(files), ", ") + ")"
	}
	return hcl.Diagnostics{errorAt(o.Range, "Unknown stack output",
		fmt.Sprintf("stack %q: %s declares no output %q (it declares: %s).%s",
			o.Stack, where, o.Output, listOrNone(outs), didYouMean(o.Output, outs)))}
}

func listOrNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, ", ")
}

func variableFiles(m *Module) string {
	seen := map[string]bool{}
	var files []string
	for _, name := range sortedKeys(m.Variables) {
		if f := m.Variables[name].File; !seen[f] {
			seen[f] = true
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		return strings.Join(m.Files, ", ")
	}
	sort.Strings(files)
	return strings.Join(files, ", ")
}
