package stages

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrebuild/tfrebuild/config"
)

const accountsConfig = `project = "demo"
terraform {
  engine  = "opentofu"
  version = "1.12.6"
  path    = "TESTDATA/bin/tofu"
}
target {
  account_id = "123456789012"
  region     = "eu-west-2"
}
account "mgmt" {
  account_id = "111111111111"
  region     = "eu-west-1"
  role_arn   = "arn:aws:iam::111111111111:role/rebuild"
}
state {
  bucket     = "demo-tfstate-123456789012-eu-west-2"
  lock_table = "demo-tflock"
  account    = account.mgmt
}
registry "api" {
  account = account.mgmt
}
stack "net" {
  source  = "TESTDATA/stacks/net"
  account = account.mgmt
}
step "dns" {
  instructions          = "Point the DNS at the new load balancer."
  auto_confirm_in_drill = true
}
`

func TestRunbookNamesEngineAndAccounts(t *testing.T) {
	t.Parallel()
	testdata, err := filepath.Abs(filepath.Join("..", "config", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "dr.hcl")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(accountsConfig, "TESTDATA", filepath.ToSlash(testdata))), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := config.Load(path)
	if diags.HasErrors() {
		t.Fatal(config.DiagnosticsError(diags))
	}
	p, err := Build(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	var rb bytes.Buffer
	if err := WriteRunbook(&rb, cfg, p); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"each role leads to its account (mgmt), before anything is written, and the OpenTofu 1.12.6 (" + filepath.Join(testdata, "bin", "tofu") + ") binary.",
		"lock table `demo-tflock` in account mgmt (111111111111, eu-west-1).",
		"ECR repositories `api` in account mgmt (111111111111, eu-west-1) (pull allowed for 123456789012).",
		"tofu init, plan and apply `" + filepath.ToSlash(testdata) + "/stacks/net` with state key `demo/net/terraform.tfstate` in account mgmt (111111111111, eu-west-1).",
		"Then run `tfrebuild confirm dns --config " + path + "`. A drill confirms it by itself.",
	} {
		if !strings.Contains(rb.String(), want) {
			t.Errorf("runbook lacks %q:\n%s", want, rb.String())
		}
	}
}
