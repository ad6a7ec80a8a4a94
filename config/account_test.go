package config

import (
	"path/filepath"
	"strings"
	"testing"
)

const mgmtAccount = `account "mgmt" {
  account_id = "111111111111"
  region     = "eu-west-1"
  role_arn   = "arn:aws:iam::111111111111:role/rebuild"
}
`

func TestEngine(t *testing.T) {
	t.Parallel()
	cfg, diags := parseHere(t, validHeader)
	if diags.HasErrors() {
		t.Fatal(DiagnosticsError(diags))
	}
	if cfg.Terraform.Engine != EngineTerraform || cfg.Terraform.Path != "" {
		t.Errorf("default engine = %q, path %q", cfg.Terraform.Engine, cfg.Terraform.Path)
	}
	src := strings.Replace(validHeader, `version = "1.11.4"`, "engine = \"opentofu\"\n  version = \"1.12.6\"\n  path = \"bin/tofu\"", 1)
	cfg, diags = parseHere(t, src)
	if diags.HasErrors() {
		t.Fatal(DiagnosticsError(diags))
	}
	if cfg.Terraform.Engine != EngineOpenTofu || cfg.Terraform.Version != "1.12.6" ||
		cfg.Terraform.Path != filepath.Join(mustAbs(t, "testdata"), "bin", "tofu") {
		t.Errorf("terraform block decoded as %+v", cfg.Terraform)
	}
}

func TestEngineErrors(t *testing.T) {
	t.Parallel()
	tf := func(body string) string {
		return strings.Replace(validHeader, `version = "1.11.4"`, "version = \"1.11.4\"\n  "+body, 1)
	}
	cases := []struct{ name, src, pos, want string }{
		{"unknown engine", tf(`engine = "opentf"`), "5:12", `"opentf" is not one of "terraform" or "opentofu". Did you mean "opentofu"?`},
		{"tofu version", strings.Replace(validHeader, `version = "1.11.4"`, "engine = \"opentofu\"\n  version = \"v1\"", 1), "5:13", `"v1" is not an exact OpenTofu version such as "1.12.6"`},
		{"missing binary", tf(`path = "bin/nope"`), "5:10", `path "bin/nope" is not a file`},
		{"directory binary", tf(`path = "bin"`), "5:10", "is not a file"},
		{"not executable", tf(`path = "bin/noexec"`), "5:10", "is not executable"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			wantError(t, tc.src, tc.pos, tc.want)
		})
	}
}

func TestAccounts(t *testing.T) {
	t.Parallel()
	src := validHeader + mgmtAccount + `account "state" {
  account_id = "222222222222"
  region     = "eu-west-2"
  role_arn   = "arn:aws:iam::222222222222:role/state"
  external_id = "x"
}
account "unused" {
  account_id = "123456789012"
  region     = "us-east-1"
}
registry "api" {
  account = account.mgmt
}
registry "own" {}
registry "shared" {
  account       = account.mgmt
  pull_accounts = ["123456789012", "333333333333", "123456789012"]
}
stack "net" {
  source  = "stacks/net"
  account = account.mgmt
}
`
	src = strings.Replace(src, "lock_table = \"demo-tflock\"", "lock_table = \"demo-tflock\"\n  account = account.state", 1)
	cfg, diags := parseHere(t, src)
	if diags.HasErrors() {
		t.Fatal(DiagnosticsError(diags))
	}
	if cfg.State.Account != "state" || cfg.Stack("net").Account != "mgmt" || cfg.Registries[0].Account != "mgmt" || cfg.Registries[1].Account != "" {
		t.Errorf("account refs decoded wrong: state %q stack %q registries %q %q", cfg.State.Account, cfg.Stack("net").Account, cfg.Registries[0].Account, cfg.Registries[1].Account)
	}
	if got := cfg.AccountFor("mgmt"); got.AccountID != "111111111111" || got.Region != "eu-west-1" || got.RoleARN != "arn:aws:iam::111111111111:role/rebuild" {
		t.Errorf("AccountFor(mgmt) = %+v", got)
	}
	if got := cfg.AccountFor("state"); got.ExternalID != "x" {
		t.Errorf("AccountFor(state) = %+v", got)
	}
	if got := cfg.AccountFor(""); got.AccountID != "123456789012" {
		t.Errorf("AccountFor(\"\") = %+v, want the target", got)
	}
	if got := cfg.AccountFor("nope"); got.AccountID != "" {
		t.Errorf("AccountFor(nope) = %+v, want the zero Target", got)
	}
	if got := strings.Join(cfg.UsedAccounts(), ","); got != ",mgmt,state" {
		t.Errorf("UsedAccounts = %q", got)
	}
	pulls := func(i int) string { return strings.Join(cfg.Registries[i].PullAccounts, ",") }
	if pulls(0) != "123456789012" || pulls(1) != "" || pulls(2) != "123456789012,333333333333" {
		t.Errorf("pull accounts = %q, %q, %q", pulls(0), pulls(1), pulls(2))
	}
}

func TestAccountErrors(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, src, pos, want string }{
		{"unknown account", mgmtAccount + "stack \"a\" {\n  source = \"stacks/net\"\n  account = account.mgnt\n}\n", "21:13", `there is no account "mgnt" in this config. Did you mean "mgmt"?`},
		{"unknown registry account", mgmtAccount + "registry \"rr\" {\n  account = account.other\n}\n", "20:13", `there is no account "other"`},
		{"quoted account", mgmtAccount + "registry \"rr\" {\n  account = \"mgmt\"\n}\n", "20:13", "account = account.NAME (no quotes)"},
		{"wrong kind", mgmtAccount + "registry \"rr\" {\n  account = stack.mgmt\n}\n", "20:13", "account = account.NAME"},
		{"role in another account", "account \"m\" {\n  account_id = \"111111111111\"\n  region = \"eu-west-1\"\n  role_arn = \"arn:aws:iam::222222222222:role/r\"\n}\n", "17:14", "but account.m.account_id is 111111111111"},
		{"no role for another account", "account \"m\" {\n  account_id = \"111111111111\"\n  region = \"eu-west-1\"\n}\n", "14:1", `account "m" (111111111111) is not the target account`},
		{"external id without role", "account \"m\" {\n  account_id = \"123456789012\"\n  region = \"eu-west-1\"\n  external_id = \"x\"\n}\n", "17:17", "external_id needs role_arn"},
		{"missing account id", "account \"m\" {\n  region = \"eu-west-1\"\n}\n", "14:13", `"account_id" is required`},
		{"bad region", "account \"m\" {\n  account_id = \"123456789012\"\n  region = \"west\"\n}\n", "16:12", "not an AWS region"},
		{"bad pull account", "registry \"rr\" {\n  pull_accounts = [\"123\", \"123456789012\"]\n}\n", "15:20", "12 digits"},
		{"pull accounts not a list", "registry \"rr\" {\n  pull_accounts = \"123456789012\"\n}\n", "15:19", "must be a list"},
		{"duplicate account", mgmtAccount + mgmtAccount, "19:1", "account.mgmt is already defined"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			wantError(t, validHeader+tc.src, tc.pos, tc.want)
		})
	}
}
