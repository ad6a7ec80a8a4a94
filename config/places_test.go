package config

import (
	"strings"
	"testing"
)

const placeAccount = `
account "mgmt" {
  account_id = "210987654321"
  region     = "us-east-1"
  role_arn   = "arn:aws:iam::210987654321:role/rebuild"
}
`

// TestPlaceReferencesEvaluate: target.* and account.NAME.* resolve in stack
// inputs to the values the config declares, so that a DR config for
// another region changes the target block only.
func TestPlaceReferencesEvaluate(t *testing.T) {
	t.Parallel()
	cfg, diags := parseHere(t, validHeader+placeAccount+`
stack "net" {
  source = "stacks/net"
}
stack "blue" {
  source = "stacks/app"
  inputs = {
    colour = "${target.region}-${target.account_id}"
    vpc_id = "${account.mgmt.region}/${account.mgmt.account_id}"
  }
}
`)
	if diags.HasErrors() {
		t.Fatalf("unexpected diagnostics:\n%s", DiagnosticsError(diags))
	}
	blue := cfg.Stack("blue")
	if got := len(cfg.StackDeps(blue)); got != 0 {
		t.Errorf("a place reference made a stack dependency: %v", cfg.StackDeps(blue))
	}
	ins, d := cfg.NewScope(nil).Inputs(blue)
	if d.HasErrors() {
		t.Fatalf("evaluate inputs: %s", DiagnosticsError(d))
	}
	if got := ins["colour"].AsString(); got != "eu-west-2-123456789012" {
		t.Errorf("colour = %q, want the target's region and account", got)
	}
	if got := ins["vpc_id"].AsString(); got != "us-east-1/210987654321" {
		t.Errorf("vpc_id = %q, want account mgmt's region and account", got)
	}
}

// TestPlaceReferencesRefused: each wrong place reference is an error at
// its file:line:col with what to write instead.
func TestPlaceReferencesRefused(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, expr, want string
	}{
		{"unknown target attribute", `target.regoin`, `target.region or target.account_id. Did you mean "region"?`},
		{"whole target", `target`, "refer to the target as target.region"},
		{"role of the target", `target.role_arn`, "refer to the target as target.region"},
		{"undeclared account", `account.mgnt.region`, `there is no account "mgnt" in this config. Did you mean "mgmt"?`},
		{"account without attribute", `account.mgmt`, "account.NAME.region or account.NAME.account_id"},
		{"unknown root", `var.region`, "target.region, target.account_id or account.NAME.region"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, diags := parseHere(t, validHeader+placeAccount+`
stack "net" {
  source = "stacks/net"
}
stack "blue" {
  source = "stacks/app"
  inputs = {
    colour = "blue"
    vpc_id = `+c.expr+`
  }
}
`)
			if !diags.HasErrors() {
				t.Fatalf("%s: no error", c.expr)
			}
			msg := DiagnosticsError(diags).Error()
			if !strings.Contains(msg, c.want) {
				t.Errorf("%s: error does not say %q:\n%s", c.expr, c.want, msg)
			}
			if !strings.Contains(msg, "rebuild.hcl:") {
				t.Errorf("%s: error names no file:line:col:\n%s", c.expr, msg)
			}
		})
	}
}
