package config

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

var rootSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "project", Required: true},
		{Name: "rto"},
		{Name: "rpo"},
		{Name: "tags"},
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "terraform"},
		{Type: "target"},
		{Type: "state"},
		{Type: "checkpoint"},
		{Type: "registry", LabelNames: []string{"name"}},
		{Type: "stack", LabelNames: []string{"name"}},
		{Type: "check", LabelNames: []string{"name"}},
		{Type: "step", LabelNames: []string{"name"}},
		{Type: "account", LabelNames: []string{"name"}},
		{Type: "notify", LabelNames: []string{"name"}},
		{Type: "restore", LabelNames: []string{"name"}},
	},
}

// Load reads, parses and validates a rebuild.hcl, and inspects the stack
// directories it names. It returns every problem found, not only the first.
// The Config is non-nil whenever the file could be parsed at all.
func Load(path string) (*Config, hcl.Diagnostics) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read config",
			Detail:   fmt.Sprintf("%s: %v. Pass the config with --config FILE.", path, err),
		}}
	}
	return Parse(src, path)
}

// Parse is Load for a config already in memory; filename is used both in
// diagnostics and to resolve stack sources relative to the file.
func Parse(src []byte, filename string) (*Config, hcl.Diagnostics) {
	whole := hcl.Range{Filename: filename, Start: hcl.InitialPos, End: hcl.InitialPos}
	if len(bytes.TrimSpace(src)) == 0 {
		return nil, hcl.Diagnostics{errorAt(whole, "Empty config",
			"the file is empty; it needs at least project, target and state. See docs/config.md.")}
	}
	if !utf8.Valid(src) || bytes.IndexByte(src, 0) >= 0 {
		return nil, hcl.Diagnostics{errorAt(whole, "Not a text file",
			"the file is not UTF-8 text; is --config pointing at the right file?")}
	}
	file, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, diags
	}
	dir, err := filepath.Abs(filepath.Dir(filename))
	if err != nil {
		return nil, hcl.Diagnostics{errorAt(whole, "Cannot resolve config directory", err.Error())}
	}
	p := &parser{cfg: &Config{Filename: filename, Dir: dir}}
	p.decode(file.Body)
	// Cross-block checks run even when a block has errors, so that one
	// round of validate shows every problem; they skip what a block error
	// left undecided rather than report it twice.
	p.validate()
	p.diags = append(p.diags, p.cfg.inspectStacks()...)
	p.diags = append(p.diags, p.cfg.checkRestoreAddresses()...)
	p.diags = append(p.diags, p.cfg.sensitiveWiring()...)
	sortDiags(p.diags)
	return p.cfg, p.diags
}

type parser struct {
	cfg   *Config
	diags hcl.Diagnostics
	// accountRefs are the account = account.NAME references, checked once
	// every block is decoded.
	accountRefs []Ref
}

func (p *parser) add(d ...*hcl.Diagnostic) { p.diags = append(p.diags, d...) }

func (p *parser) decode(body hcl.Body) {
	content, diags := body.Content(rootSchema)
	p.add(diags...)
	c := p.cfg
	if a := content.Attributes["project"]; a != nil {
		c.Project = p.required(a)
		if c.Project != "" && !identRe.MatchString(c.Project) {
			p.add(errorAt(a.Expr.Range(), "Invalid project name",
				fmt.Sprintf("%q: use letters, digits, '-' and '_', starting with a letter; it becomes part of every state key.", c.Project)))
		}
		p.checkNameLength("project", c.Project, a.Expr.Range())
	}
	if a := content.Attributes["rto"]; a != nil {
		c.RTO = p.duration(a)
	}
	if a := content.Attributes["rpo"]; a != nil {
		c.RPO = p.duration(a)
	}
	if a := content.Attributes["tags"]; a != nil {
		c.Tags = p.strMap(a)
	}
	seen := map[string]*hcl.Block{}
	for _, b := range content.Blocks {
		key := b.Type
		if len(b.Labels) > 0 {
			key += "." + b.Labels[0]
			if !identRe.MatchString(b.Labels[0]) {
				p.add(errorAt(b.LabelRanges[0], "Invalid name",
					fmt.Sprintf("%s %q: names start with a letter and use letters, digits, '-' and '_'.", b.Type, b.Labels[0])))
			}
			p.checkNameLength(b.Type+" name", b.Labels[0], b.LabelRanges[0])
		}
		if prev := seen[key]; prev != nil {
			p.add(errorAt(b.DefRange, "Duplicate "+b.Type+" block",
				fmt.Sprintf("%s is already defined at %s; names must be unique.", key, posString(prev.DefRange))))
			continue
		}
		seen[key] = b
		switch b.Type {
		case "terraform":
			p.decodeTerraform(b)
		case "target":
			p.decodeTarget(b)
		case "state":
			p.decodeState(b)
		case "checkpoint":
			p.decodeCheckpoint(b)
		case "registry":
			p.decodeRegistry(b)
		case "stack":
			p.decodeStack(b)
		case "check":
			p.decodeCheck(b)
		case "step":
			p.decodeStep(b)
		case "account":
			p.decodeAccount(b)
		case "notify":
			p.decodeNotify(b)
		case "restore":
			p.decodeRestore(b)
		}
	}
	for _, req := range []string{"target", "state"} {
		if seen[req] == nil {
			p.add(errorAt(body.MissingItemRange(), "Missing "+req+" block",
				fmt.Sprintf("a %q block is required; see docs/config.md.", req)))
		}
	}
}
