package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
)

// ownerChecker puts in front of moto's S3 what AWS does and moto does
// not: a request on bucket that names another expected owner than owner
// (ExpectedBucketOwner) is refused with 403 AccessDenied, as AWS refuses
// it. A command that reads a state with the target's session and owner
// fails there, as it would against AWS.
func ownerChecker(t *testing.T, moto, bucket, owner string) string {
	t.Helper()
	u, err := url.Parse(moto)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		if got := r.Header.Get("X-Amz-Expected-Bucket-Owner"); b == bucket && got != "" && got != owner {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// The state lives in a second account (state { account = account.mgmt })
// while the stacks run in the target. Every command that reads a stack's
// state reads it there, with that account's session and as that account's
// bucket: output, apply --only (the outputs of the upstream stack it does
// not run) and the drill's check that the target is empty. Reading them
// with the target's session and owner is refused, as AWS refuses it.
func TestAccountsStateInAnotherAccountReadByEveryCommand(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, "acctstate")
	tg.env.Vars["AWS_ENDPOINT_URL_S3"] = ownerChecker(t, tg.env.Moto.URL, tg.bucket(), mgmtID)
	tg.writeConfig(fmt.Sprintf(`project = "acctstate"
terraform {
  version = "1.11.4"
}
target {
  account_id = "123456789012"
  region     = "eu-west-2"
}
account "mgmt" {
  account_id = %q
  region     = "eu-west-1"
  role_arn   = "arn:aws:iam::%s:role/x"
}
state {
  account                 = account.mgmt
  bucket                  = %q
  lock_table              = "acctstate-lock"
  deny_insecure_transport = false
}
stack "base" {
  source = "{{stacks}}/base"
  inputs = { name = "core" }
}
stack "blue" {
  source = "{{stacks}}/app"
  inputs = {
    colour  = "blue"
    network = stack.base.outputs.network
    token   = stack.base.outputs.token
  }
}
`, mgmtID, mgmtID, tg.bucket()))

	wantCode(t, tg.run("apply", "--yes"), 0)
	if !tg.lists(tg.as(mgmtID, "eu-west-1"), tg.bucket()) {
		t.Fatal("the state bucket is not in the management account")
	}

	// Each command is checked on its own: one failing does not hide the next.
	out := tg.run("output", "base")
	if out.Code != 0 || !strings.Contains(out.Stdout, `network = "net-core"`) || !strings.Contains(out.Stdout, "(sensitive)") {
		t.Errorf("output base, with its state in the management account:\n%s\n%s", out.Stdout, out.Stderr)
	}

	only := tg.run("apply", "--yes", "--only", "blue")
	if only.Code != 0 || !strings.Contains(only.Stderr, "inputs from base's state") {
		t.Errorf("apply --only blue did not take base's outputs from its state:\n%s", only.Stderr)
	}

	drill := tg.run("drill", "--yes")
	if drill.Code != 1 {
		t.Errorf("drill on a built target: exit %d, want 1", drill.Code)
	}
	for _, want := range []string{"the target is not empty", "the state bucket s3://" + tg.bucket(), "the state of stack base (acctstate/base/terraform.tfstate)"} {
		if !strings.Contains(drill.Stderr, want) {
			t.Errorf("drill on a built target should refuse, naming %q:\n%s", want, drill.Stderr)
		}
	}
}
