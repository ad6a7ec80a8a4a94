package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
)

const validHeader = `project = "demo"
rto     = "2h"
terraform {
  version = "1.11.4"
}
target {
  account_id = "123456789012"
  region     = "eu-west-2"
}
state {
  bucket     = "demo-tfstate-123456789012-eu-west-2"
  lock_table = "demo-tflock"
}
`

const validStacks = `
stack "net" {
  source = "stacks/net"
}
stack "blue" {
  source     = "stacks/app"
  depends_on = [stack.net]
  inputs     = { colour = "blue", vpc_id = stack.net.outputs.vpc_id }
}
stack "green" {
  source   = "stacks/app"
  optional = true
  inputs   = { colour = "green", vpc_id = stack.net.outputs.vpc_id }
}
`

// parseHere parses src as if it were testdata/rebuild.hcl, so that stack
// sources resolve to testdata/stacks.
func parseHere(t *testing.T, src string) (*Config, hcl.Diagnostics) {
	t.Helper()
	return Parse([]byte(src), filepath.Join("testdata", "rebuild.hcl"))
}

func TestParseValid(t *testing.T) {
	t.Parallel()
	cfg, diags := parseHere(t, validHeader+validStacks+`
registry "api" {
  keep_last = 5
}
check "health" {
  url     = "${stack.blue.outputs.url}/healthz"
  timeout = "30s"
}
step "handoff" {
  instructions = "Give the key to the partner team."
  after        = [check.health]
}
`)
	if diags.HasErrors() {
		t.Fatalf("unexpected diagnostics:\n%s", DiagnosticsError(diags))
	}
	if cfg.Project != "demo" || cfg.RTO != 2*time.Hour || cfg.Target.Region != "eu-west-2" {
		t.Errorf("header decoded wrong: %+v", cfg)
	}
	if !cfg.State.DenyInsecureTransport || cfg.State.Encryption != "aws:kms" {
		t.Errorf("state defaults wrong: %+v", cfg.State)
	}
	if got := cfg.StackDeps(cfg.Stack("green")); len(got) != 1 || got[0] != "net" {
		t.Errorf("green deps = %v, want [net] (from its inputs)", got)
	}
	if r := cfg.Registries[0]; r.Name != "api" || !r.ScanOnPush || !strings.Contains(r.LifecyclePolicy, `"countNumber":5`) {
		t.Errorf("registry decoded wrong: %+v", r)
	}
	if c := cfg.Checks[0]; c.Timeout != 30*time.Second || c.Status != 200 || len(c.Outputs) != 1 {
		t.Errorf("check decoded wrong: %+v", c)
	}
	if m := cfg.Stack("net").Module; m == nil || !m.Outputs["secret"].Sensitive {
		t.Errorf("net module not inspected: %+v", m)
	}
}

// TestParseInvalid feeds one broken config per case and expects a
// diagnostic at the given line and column whose text names the problem.
func TestParseInvalid(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		src  string
		pos  string // LINE:COL
		want string
	}{
		{"syntax", "project = \"x\"\ntarget {\n  region = \n}\n", "3:12", "Invalid expression"},
		{"unknown attribute near miss", strings.Replace(validHeader, "region     =", "regoin     =", 1), "8:3", `Did you mean "region"?`},
		{"unknown block", validHeader + "stak \"x\" {\n}\n", "14:1", `Unsupported block type`},
		{"missing account", strings.Replace(validHeader, `account_id = "123456789012"`, "", 1), "6:8", `"account_id" is required`},
		{"missing region", strings.Replace(validHeader, `region     = "eu-west-2"`, "", 1), "6:8", `"region" is required`},
		{"missing bucket", strings.Replace(validHeader, `bucket     = "demo-tfstate-123456789012-eu-west-2"`, "", 1), "10:7", `"bucket" is required`},
		{"missing source", validHeader + "stack \"a\" {\n}\n", "14:11", `"source" is required`},
		{"duplicate stack", validHeader + validStacks + "stack \"net\" {\n  source = \"stacks/net\"\n}\n", "28:1", "stack.net is already defined at testdata/rebuild.hcl:15:1"},
		{"unknown depends_on", validHeader + "stack \"a\" {\n  source = \"stacks/net\"\n  depends_on = [stack.nett]\n}\n", "16:17", `no stack "nett"`},
		{"unknown output stack", validHeader + "stack \"a\" {\n  source = \"stacks/app\"\n  inputs = { colour = \"x\", vpc_id = stack.nope.outputs.vpc_id }\n}\n", "16:37", `no stack "nope"`},
		{"unknown output", validHeader + validStacks + "stack \"c\" {\n  source = \"stacks/app\"\n  inputs = { colour = \"x\", vpc_id = stack.net.outputs.vcp_id }\n}\n", "30:37", `declares no output "vcp_id" (it declares: secret, vpc_id). Did you mean "vpc_id"?`},
		{"unknown check ref", validHeader + validStacks + "check \"h\" {\n  url = stack.blue.outputs.nope\n}\n", "29:9", `declares no output "nope"`},
		{"unknown after", validHeader + "step \"s\" {\n  instructions = \"x\"\n  after = [check.nope]\n}\n", "16:12", `no check "nope"`},
		{"self reference", validHeader + "stack \"a\" {\n  source = \"stacks/net\"\n  depends_on = [stack.a]\n}\n", "16:17", "stack.a depends on itself"},
		{"cycle", validHeader + "stack \"a\" {\n  source = \"stacks/net\"\n  depends_on = [stack.b]\n}\nstack \"b\" {\n  source = \"stacks/net\"\n  depends_on = [stack.c]\n}\nstack \"c\" {\n  source = \"stacks/net\"\n  depends_on = [stack.a]\n}\n", "14:1", "stack.a → stack.b → stack.c → stack.a"},
		{"bucket uppercase", strings.Replace(validHeader, "demo-tfstate-", "Demo-tfstate-", 1), "11:16", "lowercase"},
		{"bucket too short", strings.Replace(validHeader, `"demo-tfstate-123456789012-eu-west-2"`, `"ab"`, 1), "11:16", "3 to 63 characters"},
		{"bucket ip", strings.Replace(validHeader, `"demo-tfstate-123456789012-eu-west-2"`, `"192.168.1.1"`, 1), "11:16", "IP address"},
		{"bucket double dot", strings.Replace(validHeader, `"demo-tfstate-123456789012-eu-west-2"`, `"a..b"`, 1), "11:16", "adjacent periods"},
		{"table name", strings.Replace(validHeader, `"demo-tflock"`, `"x!"`, 1), "12:16", "table name"},
		{"repository name", validHeader + "registry \"r\" {\n  name = \"Bad_Name\"\n}\n", "15:10", "repository name"},
		{"region", strings.Replace(validHeader, `"eu-west-2"`, `"europe"`, 1), "8:16", "not an AWS region"},
		{"account id", strings.Replace(validHeader, `"123456789012"`, `"12345"`, 1), "7:16", "12 digits"},
		{"rto", strings.Replace(validHeader, `"2h"`, `"two hours"`, 1), "2:11", "not a positive duration"},
		{"check timeout", validHeader + validStacks + "check \"h\" {\n  url = stack.blue.outputs.url\n  timeout = \"5 minutes\"\n}\n", "30:13", "not a positive duration"},
		{"source missing", validHeader + "stack \"a\" {\n  source = \"stacks/none\"\n}\n", "15:12", "is not a directory"},
		{"no s3 backend", validHeader + "stack \"a\" {\n  source = \"stacks/nobackend\"\n}\n", "15:12", `declares backend "local"`},
		{"no backend", validHeader + "stack \"a\" {\n  source = \"stacks/local\"\n}\n", "15:12", "declares no backend"},
		{"unknown input", validHeader + validStacks + "stack \"c\" {\n  source = \"stacks/app\"\n  inputs = { colour = \"x\", vpc_id = \"v\", colr = 1 }\n}\n", "30:42", `declares no such variable (it declares, in variables.tf: colour, size, vpc_id). Did you mean "colour"?`},
		{"missing input", validHeader + "stack \"c\" {\n  source = \"stacks/app\"\n  inputs = { colour = \"x\" }\n}\n", "14:1", `does not set "vpc_id", which stacks/app/variables.tf declares`},
		{"no locking", strings.Replace(validHeader, `lock_table = "demo-tflock"`, "", 1), "10:1", "No state locking"},
		{"bad reference root", validHeader + "stack \"c\" {\n  source = \"stacks/app\"\n  inputs = { colour = var.x, vpc_id = \"v\" }\n}\n", "16:23", `"var" is not something`},
		{"duplicate target", validHeader + "target {\n  account_id = \"123456789012\"\n  region = \"eu-west-2\"\n}\n", "14:1", "Duplicate target block"},
		{"missing target", "project = \"x\"\nstate {\n  bucket = \"abc\"\n  use_lockfile = true\n}\n", "1:1", `"target" block is required`},
		{"terraform version", strings.Replace(validHeader, `"1.11.4"`, `"latest"`, 1), "4:13", "not an exact Terraform version"},
		{"role in another account", strings.Replace(validHeader, `region     = "eu-west-2"`, "region = \"eu-west-2\"\n  role_arn = \"arn:aws:iam::111111111111:role/r\"", 1), "9:14", "is in account 111111111111"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, diags := parseHere(t, tc.src)
			want := fmt.Sprintf("testdata/rebuild.hcl:%s: ", tc.pos)
			for _, d := range diags {
				line := FormatDiagnostic(d)
				if d.Severity == hcl.DiagError && strings.HasPrefix(line, want) && strings.Contains(line, tc.want) {
					return
				}
			}
			t.Errorf("want an error at %s containing %q; got:\n%v", want, tc.want, DiagnosticsError(diags))
		})
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	t.Parallel()
	src := strings.NewReplacer(`"eu-west-2"`, `"nowhere"`, `"123456789012"`, `"1"`, `"2h"`, `"soon"`).Replace(validHeader)
	_, diags := parseHere(t, src)
	if n := len(diags.Errs()); n < 3 {
		t.Fatalf("want all three problems reported at once, got %d:\n%v", n, DiagnosticsError(diags))
	}
}

func TestEmptyAndBinaryFiles(t *testing.T) {
	t.Parallel()
	for name, src := range map[string][]byte{"empty": []byte(" \n\t\n"), "binary": {0x7f, 'E', 'L', 'F', 0, 0, 0xff}} {
		_, diags := Parse(src, "rebuild.hcl")
		if !diags.HasErrors() || !strings.HasPrefix(FormatDiagnostic(diags[0]), "rebuild.hcl:1:1: ") {
			t.Errorf("%s file: want an error at rebuild.hcl:1:1, got %v", name, diags)
		}
	}
}

func TestLongChainValidatesFast(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString(validHeader)
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&b, "stack \"s%d\" {\n  source = %q\n", i, filepath.Join(mustAbs(t, "testdata"), "stacks", "net"))
		if i > 0 {
			fmt.Fprintf(&b, "  depends_on = [stack.s%d]\n", i-1)
		}
		b.WriteString("}\n")
	}
	path := filepath.Join(dir, "rebuild.hcl")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := Load(path)
	if diags.HasErrors() {
		t.Fatal(DiagnosticsError(diags))
	}
	if got := cfg.StackDeps(cfg.Stacks[199]); len(got) != 1 || got[0] != "s198" {
		t.Errorf("deps of the last stack = %v", got)
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
