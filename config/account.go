package config

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

// Account is an AWS account other than the target that some stages run in:
// the registries in a management account, the state in a dedicated one.
// tfrebuild reaches it by assuming RoleARN (when set) and the guard checks
// that the caller then is AccountID, before anything is written anywhere.
type Account struct {
	Name       string
	AccountID  string
	Region     string
	RoleARN    string
	ExternalID string
	Range      hcl.Range
}

// Target returns the account as the guard's view of it.
func (a *Account) Target() Target {
	return Target{AccountID: a.AccountID, Region: a.Region, RoleARN: a.RoleARN, ExternalID: a.ExternalID, Range: a.Range}
}

// Account returns the account block with this name, or nil.
func (c *Config) Account(name string) *Account {
	for _, a := range c.Accounts {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// AccountFor returns where a stage with account = name runs: the target for
// "", else the named account. A name that is not declared (impossible in a
// validated config) returns the zero Target, which the guard refuses.
func (c *Config) AccountFor(name string) Target {
	if name == "" {
		return c.Target
	}
	if a := c.Account(name); a != nil {
		return a.Target()
	}
	return Target{}
}

// UsedAccounts lists the accounts the state, registries and stacks run in,
// each once, "" (the target) first, then declared accounts in declaration
// order. Preflight checks every one of them before any write.
func (c *Config) UsedAccounts() []string {
	used := map[string]bool{"": true, c.State.Account: true}
	for _, r := range c.Registries {
		used[r.Account] = true
	}
	for _, s := range c.Stacks {
		used[s.Account] = true
	}
	out := []string{""}
	for _, a := range c.Accounts {
		if used[a.Name] {
			out = append(out, a.Name)
		}
	}
	return out
}

func (p *parser) decodeAccount(b *hcl.Block) {
	a := p.content(b, []hcl.AttributeSchema{
		{Name: "account_id", Required: true}, {Name: "region", Required: true},
		{Name: "role_arn"}, {Name: "external_id"},
	})
	acc := &Account{Name: b.Labels[0], Range: b.DefRange}
	if v := a["account_id"]; v != nil {
		acc.AccountID = p.required(v)
		p.check(v, acc.AccountID, validAccountID)
	}
	if v := a["region"]; v != nil {
		acc.Region = p.required(v)
		p.check(v, acc.Region, validRegion)
	}
	if v := a["role_arn"]; v != nil {
		acc.RoleARN = p.str(v)
		p.check(v, acc.RoleARN, func(s string) error { return validRoleARNIn(s, acc.AccountID, "account."+acc.Name+".account_id") })
	}
	if v := a["external_id"]; v != nil {
		acc.ExternalID = p.str(v)
		if acc.RoleARN == "" {
			p.add(errorAt(v.Expr.Range(), "external_id needs role_arn", "external_id is passed when assuming role_arn; set role_arn."))
		}
	}
	p.cfg.Accounts = append(p.cfg.Accounts, acc)
}

// accountRef decodes account = account.NAME and remembers it for validate.
func (p *parser) accountRef(a *hcl.Attribute) string {
	if a == nil {
		return ""
	}
	r, ok := p.ref(a, "account")
	if !ok {
		return ""
	}
	p.accountRefs = append(p.accountRefs, r)
	return r.Name
}

// ref decodes an attribute holding a single KIND.NAME reference.
func (p *parser) ref(a *hcl.Attribute, kind string) (Ref, bool) {
	tr, diags := hcl.AbsTraversalForExpr(a.Expr)
	if !diags.HasErrors() && len(tr) == 2 && tr.RootName() == kind {
		if attr, ok := tr[1].(hcl.TraverseAttr); ok {
			return Ref{Kind: kind, Name: attr.Name, Range: a.Expr.Range()}, true
		}
	}
	p.add(errorAt(a.Expr.Range(), "Invalid reference in "+a.Name,
		fmt.Sprintf("%s takes a reference such as %s = %s.NAME (no quotes).", a.Name, a.Name, kind)))
	return Ref{}, false
}

// validateAccounts checks what spans blocks: references to accounts, roles
// for accounts other than the target, and each registry's pull accounts.
func (p *parser) validateAccounts() {
	c := p.cfg
	var names []string
	for _, a := range c.Accounts {
		names = append(names, a.Name)
		if a.RoleARN == "" && a.AccountID != "" && validAccountID(c.Target.AccountID) == nil && a.AccountID != c.Target.AccountID {
			p.add(errorAt(a.Range, "Account needs a role",
				fmt.Sprintf("account %q (%s) is not the target account (%s): set role_arn to the role tfrebuild assumes to reach it.", a.Name, a.AccountID, c.Target.AccountID)))
		}
	}
	for _, r := range p.accountRefs {
		if c.Account(r.Name) == nil {
			hint := didYouMean(r.Name, names)
			if hint == "" {
				hint = fmt.Sprintf(" Declare it with account %q { account_id = ..., region = ..., role_arn = ... }.", r.Name)
			}
			p.add(errorAt(r.Range, "Reference to undeclared account",
				fmt.Sprintf("there is no account %q in this config.%s", r.Name, hint)))
		}
	}
	for _, r := range c.Registries {
		if r.pullAccountsSet {
			continue
		}
		if id := c.AccountFor(r.Account).AccountID; id != "" && id != c.Target.AccountID {
			r.PullAccounts = []string{c.Target.AccountID}
		}
	}
}
