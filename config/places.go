package config

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// PlaceRef is a reference to where something runs: target.region,
// target.account_id, account.NAME.region or account.NAME.account_id. It
// lets a DR config for another region change one line, not every input.
type PlaceRef struct {
	// Account is the account block's name; "" for the target.
	Account string
	// Attr is "region" or "account_id".
	Attr  string
	Range hcl.Range
}

// placeAttrs are the attributes a place reference may name.
var placeAttrs = []string{"region", "account_id"}

// placeRef decodes a target.ATTR or account.NAME.ATTR traversal. ok is
// false when the traversal is not one (the caller reports it).
func (p *parser) placeRef(tr hcl.Traversal) (ref PlaceRef, isPlace bool) {
	names := attrNames(tr)
	r := tr.SourceRange()
	switch tr.RootName() {
	case "target":
		if len(names) != 2 || len(tr) != 2 || !contains(placeAttrs, names[1]) {
			p.add(errorAt(r, "Invalid target reference",
				fmt.Sprintf("refer to the target as target.region or target.account_id.%s", hintAttr(names, 1))))
			return PlaceRef{}, true
		}
		return PlaceRef{Attr: names[1], Range: r}, true
	case "account":
		if len(names) != 3 || len(tr) != 3 || !contains(placeAttrs, names[2]) {
			p.add(errorAt(r, "Invalid account reference",
				fmt.Sprintf("refer to an account as account.NAME.region or account.NAME.account_id.%s", hintAttr(names, 2))))
			return PlaceRef{}, true
		}
		return PlaceRef{Account: names[1], Attr: names[2], Range: r}, true
	}
	return PlaceRef{}, false
}

// hintAttr suggests the nearest attribute when the one at i is misspelt.
func hintAttr(names []string, i int) string {
	if len(names) <= i {
		return ""
	}
	return didYouMean(names[i], placeAttrs)
}

// validatePlaces checks that every account a place reference names is
// declared.
func (p *parser) validatePlaces(refs []PlaceRef) {
	var names []string
	for _, a := range p.cfg.Accounts {
		names = append(names, a.Name)
	}
	for _, r := range refs {
		if r.Account != "" && p.cfg.Account(r.Account) == nil {
			p.add(errorAt(r.Range, "Reference to undeclared account",
				fmt.Sprintf("there is no account %q in this config.%s", r.Account, didYouMean(r.Account, names))))
		}
	}
}

// placeValues are the values of target and account for an evaluation.
func (c *Config) placeValues() map[string]cty.Value {
	place := func(t Target) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{
			"region":     cty.StringVal(t.Region),
			"account_id": cty.StringVal(t.AccountID),
		})
	}
	accounts := map[string]cty.Value{}
	for _, a := range c.Accounts {
		accounts[a.Name] = place(a.Target())
	}
	return map[string]cty.Value{"target": place(c.Target), "account": cty.ObjectVal(accounts)}
}
