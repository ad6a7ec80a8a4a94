package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

// A stack applied in a second account: its provider acts there (the
// caller identity and the parameter it creates are in 111111111111, in
// that account's region) while its state goes to the bucket in the target
// account, through the state credentials file, which no command outlives.
func TestAccountsStackAppliedInASecondAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tg := newTarget(t, "acctstack")
	if err := tg.env.UseMirror(testenv.ProviderMirror(t)); err != nil {
		t.Fatal(err)
	}
	tg.writeConfig(fmt.Sprintf(`project = "acctstack"
terraform {
  version = "1.11.4"
}
target {
  account_id = "123456789012"
  region     = "eu-west-2"
}
account "workload" {
  account_id = %q
  region     = "eu-west-1"
  role_arn   = "arn:aws:iam::%s:role/x"
}
state {
  bucket                  = %q
  lock_table              = "acctstack-lock"
  deny_insecure_transport = false
}
stack "who" {
  source  = "{{stacks}}/whoami"
  account = account.workload
  inputs  = { aws_endpoint = "{{moto}}", name = "/acctstack/marker" }
}
`, mgmtID, mgmtID, tg.bucket()))

	wantCode(t, tg.run("apply", "--yes"), 0)
	st := tg.state("who")
	if st == nil {
		t.Fatal("no state for stack who in the target account's bucket")
	}
	if got := fmt.Sprint(st.Outputs["account_id"].Value, " ", st.Outputs["region"].Value); got != mgmtID+" eu-west-1" {
		t.Errorf("the stack's provider acted as %s, want %s eu-west-1", got, mgmtID)
	}
	param := func(id string) (string, error) {
		out, err := ssm.NewFromConfig(tg.as(id, "eu-west-1")).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/acctstack/marker")})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.Parameter.Value), nil
	}
	if v, err := param(mgmtID); err != nil || v != mgmtID {
		t.Errorf("the parameter in account %s: %q %v", mgmtID, v, err)
	}
	if _, err := param(testenv.Account); err == nil {
		t.Error("the parameter was created in the target account")
	}
	work := filepath.Join(tg.dir, ".tfrebuild")
	if left, _ := filepath.Glob(filepath.Join(work, "*", "*", "state-credentials")); len(left) > 0 {
		t.Errorf("state credentials files outlived the run: %v", left)
	}
	assertNoKeys(t, work)

	again := tg.run("apply", "--yes")
	wantCode(t, again, 0)
	// A new rebuild checks the stack against the cloud: the same backend
	// and account find the same state, with nothing to change.
	if !strings.Contains(again.Stderr, "no changes; 2 outputs") {
		t.Errorf("the second apply changed the stack: the backend or account changed between runs:\n%s", again.Stderr)
	}

	wantCode(t, tg.run("destroy", "--yes"), 0)
	if _, err := param(mgmtID); err == nil {
		t.Error("destroy left the parameter in the second account")
	}
}

// assertNoKeys fails when a file under dir holds AWS secret keys: logs,
// checkpoint, backend settings and var files must carry none.
func assertNoKeys(t *testing.T, dir string) {
	t.Helper()
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || !info.Mode().IsRegular() || strings.Contains(p, "plugin-cache") || strings.Contains(p, string(filepath.Separator)+"providers"+string(filepath.Separator)) {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, secret := range []string{"aws_secret_access_key", "AWS_SECRET_ACCESS_KEY", "aws_session_token", "AWS_SESSION_TOKEN"} {
			if strings.Contains(string(b), secret) {
				t.Errorf("%s holds %s", p, secret)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
