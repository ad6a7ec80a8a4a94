package config

import (
	"fmt"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// literal evaluates an attribute that may not refer to anything.
func (p *parser) literal(a *hcl.Attribute, want cty.Type) (cty.Value, bool) {
	v, diags := a.Expr.Value(literalContext)
	if diags.HasErrors() {
		p.add(scrub(diags)...)
		return cty.NilVal, false
	}
	if v.IsNull() {
		return v, false
	}
	cv, err := convert.Convert(v, want)
	if err != nil {
		p.add(errorAt(a.Expr.Range(), "Invalid value for "+a.Name,
			fmt.Sprintf("%s must be %s: %v.", a.Name, want.FriendlyName(), err)))
		return cty.NilVal, false
	}
	if !cv.IsWhollyKnown() {
		return cty.NilVal, false
	}
	return cv, true
}

func (p *parser) str(a *hcl.Attribute) string {
	v, ok := p.literal(a, cty.String)
	if !ok {
		return ""
	}
	return v.AsString()
}

func (p *parser) boolean(a *hcl.Attribute, def bool) bool {
	if a == nil {
		return def
	}
	v, ok := p.literal(a, cty.Bool)
	if !ok {
		return def
	}
	return v.True()
}

func (p *parser) integer(a *hcl.Attribute, def, min, max int) int {
	if a == nil {
		return def
	}
	v, ok := p.literal(a, cty.Number)
	if !ok {
		return def
	}
	bf := v.AsBigFloat()
	n, acc := bf.Int64()
	if !bf.IsInt() || acc != 0 || n < int64(min) || n > int64(max) {
		p.add(errorAt(a.Expr.Range(), "Invalid value for "+a.Name,
			fmt.Sprintf("%s must be a whole number from %d to %d.", a.Name, min, max)))
		return def
	}
	return int(n)
}

func (p *parser) duration(a *hcl.Attribute) time.Duration {
	s := p.str(a)
	if s == "" {
		return 0
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		p.add(errorAt(a.Expr.Range(), "Invalid duration",
			fmt.Sprintf("%s = %q is not a positive duration; write it like \"90s\", \"5m\" or \"1h30m\".", a.Name, s)))
		return 0
	}
	return d
}

func (p *parser) strMap(a *hcl.Attribute) map[string]string {
	v, ok := p.literal(a, cty.Map(cty.String))
	if !ok {
		return nil
	}
	out := map[string]string{}
	for k, e := range v.AsValueMap() {
		out[k] = e.AsString()
	}
	return out
}

// refs decodes a list of block references such as [stack.shared, check.x].
func (p *parser) refs(a *hcl.Attribute, kinds ...string) []Ref {
	if a == nil {
		return nil
	}
	exprs, diags := hcl.ExprList(a.Expr)
	if diags.HasErrors() {
		p.add(diags...)
		return nil
	}
	var out []Ref
	for _, e := range exprs {
		tr, diags := hcl.AbsTraversalForExpr(e)
		if diags.HasErrors() || len(tr) != 2 {
			p.add(errorAt(e.Range(), "Invalid reference in "+a.Name,
				fmt.Sprintf("expected a reference such as %s.NAME.", kinds[0])))
			continue
		}
		attr, ok := tr[1].(hcl.TraverseAttr)
		kind := tr.RootName()
		if !ok || !contains(kinds, kind) {
			p.add(errorAt(e.Range(), "Invalid reference in "+a.Name,
				fmt.Sprintf("%s can refer to %s blocks (for example %s.NAME).", a.Name, joinOr(kinds), kinds[0])))
			continue
		}
		out = append(out, Ref{Kind: kind, Name: attr.Name, Range: e.Range()})
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func joinOr(list []string) string {
	switch len(list) {
	case 0:
		return ""
	case 1:
		return list[0]
	}
	out := list[0]
	for i := 1; i < len(list)-1; i++ {
		out += ", " + list[i]
	}
	return out + " or " + list[len(list)-1]
}

// convertString turns a known primitive value into its string form.
func convertString(v cty.Value) (string, error) {
	if v.IsNull() {
		return "", fmt.Errorf("it is null")
	}
	cv, err := convert.Convert(v, cty.String)
	if err != nil {
		return "", err
	}
	if !cv.IsKnown() {
		return "", fmt.Errorf("it is not known before apply")
	}
	return cv.AsString(), nil
}

// accountIDs decodes a list of 12-digit account ids, each checked where it
// is written.
func (p *parser) accountIDs(a *hcl.Attribute) []string {
	exprs, diags := hcl.ExprList(a.Expr)
	if diags.HasErrors() {
		p.add(errorAt(a.Expr.Range(), "Invalid "+a.Name, a.Name+` must be a list of account ids: ["123456789012"].`))
		return nil
	}
	out := []string{}
	for _, e := range exprs {
		v, d := e.Value(literalContext)
		if d.HasErrors() {
			p.add(scrub(d)...)
			continue
		}
		id, err := convertString(v)
		if err == nil {
			err = validAccountID(id)
		}
		if err != nil {
			p.add(errorAt(e.Range(), "Invalid "+a.Name, err.Error()+"."))
			continue
		}
		if !contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}
