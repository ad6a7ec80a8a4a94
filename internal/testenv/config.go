package testenv

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// ConfigEdit adapts a rebuild.hcl written for real AWS to a test or the
// demo, the way an operator edits a copy: another region, the emulator's
// endpoint as a stack input. Values are strings.
type ConfigEdit struct {
	// Attrs sets attributes of unlabelled blocks, keyed "block.attribute"
	// ("target.region", "state.bucket").
	Attrs map[string]string
	// Inputs are set in every stack's inputs, replacing a value that is
	// there. The stacks must declare them as variables.
	Inputs map[string]string
	// SourceDir, when set, makes relative stack sources absolute against
	// it, so that the edited config can be written somewhere else.
	SourceDir string
}

// splice is one replacement of src[start:end].
type splice struct {
	start, end int
	text       string
}

// EditConfig returns src with edit applied. It edits the source text, so
// comments and layout survive, and checks that the result still parses.
func EditConfig(src []byte, filename string, edit ConfigEdit) ([]byte, error) {
	file, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, fmt.Errorf("parse %s: %w", filename, diags)
	}
	var out []splice
	done := map[string]bool{}
	for _, b := range file.Body.(*hclsyntax.Body).Blocks {
		for key, v := range edit.Attrs {
			typ, name, _ := strings.Cut(key, ".")
			if b.Type == typ && len(b.Labels) == 0 {
				out = append(out, setAttr(b, name, quote(v)))
				done[key] = true
			}
		}
		if b.Type != "stack" {
			continue
		}
		if edit.SourceDir != "" {
			if a := b.Body.Attributes["source"]; a != nil {
				v, d := a.Expr.Value(nil)
				if !d.HasErrors() && v.Type() == cty.String && !filepath.IsAbs(v.AsString()) {
					abs := filepath.Join(edit.SourceDir, filepath.FromSlash(v.AsString()))
					out = append(out, replace(a.Expr.Range(), quote(abs)))
				}
			}
		}
		s, err := setInputs(b, edit.Inputs)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filename, err)
		}
		out = append(out, s...)
	}
	for key := range edit.Attrs {
		if !done[key] {
			return nil, fmt.Errorf("%s has no %q block for %s", filename, strings.SplitN(key, ".", 2)[0], key)
		}
	}
	res := apply(src, out)
	if _, diags := hclsyntax.ParseConfig(res, filename, hcl.InitialPos); diags.HasErrors() {
		return nil, fmt.Errorf("edited %s does not parse: %w", filename, diags)
	}
	return res, nil
}

// setAttr replaces an attribute's value, or adds the attribute at the end
// of the block.
func setAttr(b *hclsyntax.Block, name, value string) splice {
	if a := b.Body.Attributes[name]; a != nil {
		return replace(a.Expr.Range(), value)
	}
	at := b.CloseBraceRange.Start.Byte
	return splice{at, at, fmt.Sprintf("\n%s = %s\n", name, value)}
}

func setInputs(b *hclsyntax.Block, inputs map[string]string) ([]splice, error) {
	if len(inputs) == 0 {
		return nil, nil
	}
	names := make([]string, 0, len(inputs))
	for k := range inputs {
		names = append(names, k)
	}
	sort.Strings(names)
	a := b.Body.Attributes["inputs"]
	if a == nil {
		var sb strings.Builder
		for _, k := range names {
			fmt.Fprintf(&sb, "%s = %s\n", k, quote(inputs[k]))
		}
		at := b.CloseBraceRange.Start.Byte
		return []splice{{at, at, "\ninputs = {\n" + sb.String() + "}\n"}}, nil
	}
	obj, ok := a.Expr.(*hclsyntax.ObjectConsExpr)
	if !ok {
		return nil, fmt.Errorf("stack %q: inputs is not an object", b.Labels[0])
	}
	var out []splice
	set := map[string]bool{}
	for _, item := range obj.Items {
		k, d := item.KeyExpr.Value(nil)
		if d.HasErrors() || k.Type() != cty.String {
			continue
		}
		if v, ok := inputs[k.AsString()]; ok {
			out = append(out, replace(item.ValueExpr.Range(), quote(v)))
			set[k.AsString()] = true
		}
	}
	var sb strings.Builder
	for _, k := range names {
		if !set[k] {
			fmt.Fprintf(&sb, "\n%s = %s", k, quote(inputs[k]))
		}
	}
	if sb.Len() > 0 {
		at := obj.SrcRange.End.Byte - 1 // the closing brace
		out = append(out, splice{at, at, sb.String() + "\n"})
	}
	return out, nil
}

func replace(r hcl.Range, text string) splice { return splice{r.Start.Byte, r.End.Byte, text} }

// apply makes the splices, last first so that earlier offsets hold.
func apply(src []byte, s []splice) []byte {
	sort.Slice(s, func(i, j int) bool { return s[i].start > s[j].start })
	out := append([]byte(nil), src...)
	for _, sp := range s {
		out = append(out[:sp.start], append([]byte(sp.text), out[sp.end:]...)...)
	}
	return out
}

// quote writes s as an HCL string literal: Go quoting, with template
// introducers escaped.
func quote(s string) string {
	q := fmt.Sprintf("%q", s)
	q = strings.ReplaceAll(q, "${", "$${")
	return strings.ReplaceAll(q, "%{", "%%{")
}
