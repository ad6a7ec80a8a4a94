package config

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

// inputs decodes a stack's inputs object, one expression per key.
func (p *parser) inputs(a *hcl.Attribute) []Input {
	pairs, diags := hcl.ExprMap(a.Expr)
	if diags.HasErrors() {
		p.add(errorAt(a.Expr.Range(), "Invalid inputs", "inputs must be an object: inputs = { name = value, ... }."))
		return nil
	}
	seen := map[string]bool{}
	var out []Input
	for _, kv := range pairs {
		k, ok := p.key(kv.Key)
		if !ok {
			continue
		}
		if seen[k] {
			p.add(errorAt(kv.Key.Range(), "Duplicate input", fmt.Sprintf("input %q is set twice.", k)))
			continue
		}
		seen[k] = true
		outs, places := p.exprRefs(kv.Value)
		out = append(out, Input{Name: k, Expr: kv.Value, Range: kv.Key.Range(), Outputs: outs, Places: places})
		p.static(kv.Value)
	}
	return out
}

func (p *parser) exprMap(a *hcl.Attribute) map[string]hcl.Expression {
	pairs, diags := hcl.ExprMap(a.Expr)
	if diags.HasErrors() {
		p.add(errorAt(a.Expr.Range(), "Invalid "+a.Name, a.Name+" must be an object: { name = value, ... }."))
		return nil
	}
	out := map[string]hcl.Expression{}
	for _, kv := range pairs {
		if k, ok := p.key(kv.Key); ok {
			out[k] = kv.Value
		}
	}
	return out
}

func (p *parser) key(e hcl.Expression) (string, bool) {
	if kw := hcl.ExprAsKeyword(e); kw != "" {
		return kw, true
	}
	v, diags := e.Value(nil)
	if diags.HasErrors() || v.IsNull() || !v.IsKnown() || !v.Type().Equals(ctyString) {
		p.add(errorAt(e.Range(), "Invalid key", "keys must be names or quoted strings."))
		return "", false
	}
	return v.AsString(), true
}

// exprRefs collects the stack.NAME.outputs.OUTPUT and the target.ATTR /
// account.NAME.ATTR references in an expression and reports any other
// kind of reference.
func (p *parser) exprRefs(e hcl.Expression) ([]OutputRef, []PlaceRef) {
	var out []OutputRef
	var places []PlaceRef
	for _, tr := range e.Variables() {
		r := tr.SourceRange()
		if ref, isPlace := p.placeRef(tr); isPlace {
			if ref.Attr != "" {
				places = append(places, ref)
			}
			continue
		}
		if tr.RootName() != "stack" {
			p.add(errorAt(r, "Unknown reference",
				fmt.Sprintf("%q is not something rebuild.hcl can refer to here; use stack.NAME.outputs.OUTPUT, target.region, target.account_id or account.NAME.region.", tr.RootName())))
			continue
		}
		names := attrNames(tr)
		if len(names) < 3 || names[2] != "outputs" {
			p.add(errorAt(r, "Invalid stack reference", "refer to a stack's outputs as stack.NAME.outputs.OUTPUT."))
			continue
		}
		ref := OutputRef{Stack: names[1], Range: r}
		if len(names) > 3 {
			ref.Output = names[3]
		}
		out = append(out, ref)
	}
	return out, places
}

// attrNames returns the names of the leading root/attribute steps of a
// traversal, stopping at the first index step.
func attrNames(tr hcl.Traversal) []string {
	var out []string
	for _, step := range tr {
		switch s := step.(type) {
		case hcl.TraverseRoot:
			out = append(out, s.Name)
		case hcl.TraverseAttr:
			out = append(out, s.Name)
		default:
			return out
		}
	}
	return out
}
