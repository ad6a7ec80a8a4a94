package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

// In moto, assuming arn:aws:iam::ACCOUNT:role/x gives credentials that act
// as ACCOUNT: that is how these tests reach a second account.
const mgmtID = "111111111111"

// writeConfig writes rebuild.hcl as given ({{stacks}} and {{moto}} are
// replaced), for configs whose state block differs from the shared header.
func (tg *target) writeConfig(text string) string {
	tg.t.Helper()
	stacks, err := filepath.Abs(filepath.Join("testdata", "stacks"))
	if err != nil {
		tg.t.Fatal(err)
	}
	text = strings.NewReplacer("{{stacks}}", stacks, "{{moto}}", tg.env.Moto.URL).Replace(text)
	path := filepath.Join(tg.dir, "rebuild.hcl")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		tg.t.Fatal(err)
	}
	return path
}

// as returns an SDK config acting as account id in region: the test's
// own credentials for the default account, an assumed role otherwise.
func (tg *target) as(id, region string) aws.Config {
	tg.t.Helper()
	cfg := tg.awsConfig()
	cfg.Region = region
	if id == testenv.Account {
		return cfg
	}
	return assumed(tg.t, cfg, id)
}

// assumed is cfg acting as account id, through an assumed role there.
func assumed(t *testing.T, cfg aws.Config, id string) aws.Config {
	t.Helper()
	out, err := sts.NewFromConfig(cfg).AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + id + ":role/x"), RoleSessionName: aws.String("e2e")})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	cfg.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	return cfg
}

// lists reports whether the account cfg acts as lists bucket among its own.
func (tg *target) lists(cfg aws.Config, bucket string) bool {
	tg.t.Helper()
	return bucketIn(tg.t, cfg, bucket)
}

// The registries and the state live in the management account while the
// workloads live in the target: the repository is created there, with a
// policy that lets the target account pull, read back through the
// management account; the state bucket and the lock table holding the
// checkpoint are there too, and status reads it back.
func TestAccountsRegistriesInTheManagementAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tg := newTarget(t, "acctreg")
	tg.writeConfig(fmt.Sprintf(`project = "acctreg"
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
  lock_table              = "acctreg-lock"
  deny_insecure_transport = false
}
checkpoint {
  store = "dynamodb"
}
registry "api" {
  account = account.mgmt
  name    = "acctreg-api"
}
registry "web" {
  name = "acctreg-web"
}
`, mgmtID, mgmtID, tg.bucket()))

	plan := tg.run("plan")
	wantCode(t, plan, 0)
	if !strings.Contains(plan.Stdout+plan.Stderr, "pull from 123456789012") {
		t.Errorf("plan does not say the target may pull from the management registry:\n%s\n%s", plan.Stdout, plan.Stderr)
	}

	wantCode(t, tg.run("apply", "--yes"), 0)
	mgmt := ecr.NewFromConfig(tg.as(mgmtID, "eu-west-1"))
	pol, err := mgmt.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: aws.String("acctreg-api")})
	if err != nil {
		t.Fatalf("the management account's repository has no policy: %v", err)
	}
	var doc struct {
		Statement []struct {
			Sid       string
			Effect    string
			Principal struct{ AWS any }
			Action    []string
		}
	}
	if err := json.Unmarshal([]byte(aws.ToString(pol.PolicyText)), &doc); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range doc.Statement {
		if s.Sid == bootstrap.CrossAccountPullSid {
			found = true
			if p := fmt.Sprint(s.Principal.AWS); s.Effect != "Allow" || !strings.Contains(p, "arn:aws:iam::123456789012:root") ||
				strings.Contains(p, mgmtID) || !strings.Contains(strings.Join(s.Action, ","), "ecr:BatchGetImage") {
				t.Errorf("pull statement: %+v", s)
			}
		}
	}
	if !found {
		t.Errorf("no %s statement in %s", bootstrap.CrossAccountPullSid, aws.ToString(pol.PolicyText))
	}

	mgmtCfg := tg.as(mgmtID, "eu-west-1")
	if !tg.lists(mgmtCfg, tg.bucket()) || tg.lists(tg.as(testenv.Account, "eu-west-2"), tg.bucket()) {
		t.Error("the state bucket is not the management account's alone")
	}
	if _, err := dynamodb.NewFromConfig(mgmtCfg).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("acctreg-lock")}); err != nil {
		t.Errorf("the lock table is not in the management account: %v", err)
	}
	if _, err := dynamodb.NewFromConfig(tg.as(testenv.Account, "eu-west-2")).DescribeTable(ctx,
		&dynamodb.DescribeTableInput{TableName: aws.String("acctreg-lock")}); err == nil {
		t.Error("a lock table was created in the target account too")
	}
	status := tg.run("status", "--json")
	wantCode(t, status, 0)
	if !strings.Contains(status.Stdout, `"registries"`) || !strings.Contains(status.Stdout, `"done"`) {
		t.Errorf("status does not read the checkpoint from the management account:\n%s", status.Stdout)
	}

	target := ecr.NewFromConfig(tg.as(testenv.Account, "eu-west-2"))
	if _, err := target.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"acctreg-api"}}); err == nil {
		t.Error("acctreg-api was created in the target account too")
	}
	if _, err := target.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"acctreg-web"}}); err != nil {
		t.Errorf("acctreg-web is not in the target account: %v", err)
	}
	if _, err := target.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: aws.String("acctreg-web")}); err == nil {
		t.Error("the target's own registry got a pull policy")
	}

	wantCode(t, tg.run("destroy", "--all", "--yes"), 0)
	if _, err := mgmt.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"acctreg-api"}}); err == nil {
		t.Error("destroy --all left the management account's repository")
	}
	if tg.lists(mgmtCfg, tg.bucket()) {
		t.Error("destroy --all left the state bucket in the management account")
	}
}

// stsRewriter stands in front of moto's STS and, for AssumeRole, swaps
// role ARNs: a role that leads to another account than its ARN says, as a
// misconfigured trust or SSO mapping would. Everything else passes as is.
func stsRewriter(t *testing.T, moto string, swap map[string]string) string {
	t.Helper()
	u, err := url.Parse(moto)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body := string(b)
		for from, to := range swap {
			body = strings.ReplaceAll(body, url.QueryEscape(from), url.QueryEscape(to))
		}
		r.Body, r.ContentLength = io.NopCloser(strings.NewReader(body)), int64(len(body))
		r.Header.Del("Content-Length")
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// Two account blocks whose roles lead to other accounts than they name:
// the run stops in preflight with both listed, and nothing was written in
// any account, not even the DynamoDB checkpoint store's lock table.
func TestAccountsGuardRefusesBeforeAnyWrite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tg := newTarget(t, "acctguard")
	tg.env.Vars["AWS_ENDPOINT_URL_STS"] = stsRewriter(t, tg.env.Moto.URL, map[string]string{
		"arn:aws:iam::" + mgmtID + ":role/x":   "arn:aws:iam::222222222222:role/x",
		"arn:aws:iam::333333333333:role/audit": "arn:aws:iam::444444444444:role/audit",
	})
	tg.writeConfig(fmt.Sprintf(`project = "acctguard"
terraform {
  version = "1.11.4"
}
target {
  account_id = "123456789012"
  region     = "eu-west-2"
}
account "mgmt" {
  account_id = %q
  region     = "eu-west-2"
  role_arn   = "arn:aws:iam::%s:role/x"
}
account "audit" {
  account_id = "333333333333"
  region     = "eu-west-2"
  role_arn   = "arn:aws:iam::333333333333:role/audit"
}
state {
  account                 = account.mgmt
  bucket                  = %q
  lock_table              = "acctguard-lock"
  deny_insecure_transport = false
}
checkpoint {
  store = "dynamodb"
}
registry "api" {
  account = account.mgmt
  name    = "acctguard-api"
}
registry "web" {
  name = "acctguard-web"
}
`, mgmtID, mgmtID, tg.bucket()))

	for _, args := range [][]string{{"apply", "--yes"}, {"plan"}} {
		res := tg.run(args...)
		wantCode(t, res, 1)
		out := res.Stdout + res.Stderr
		for _, want := range []string{
			`account "mgmt": role arn:aws:iam::111111111111:role/x leads to account 222222222222`,
			`account "audit": role arn:aws:iam::333333333333:role/audit leads to account 444444444444`,
			"nothing was written",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: output lacks %q:\n%s", args[0], want, out)
			}
		}
	}
	for _, id := range []string{testenv.Account, mgmtID, "222222222222", "333333333333", "444444444444"} {
		cfg := tg.as(id, "eu-west-2")
		if _, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).HeadBucket(ctx,
			&s3.HeadBucketInput{Bucket: aws.String(tg.bucket())}); err == nil {
			t.Errorf("account %s: the state bucket was created", id)
		}
		if _, err := dynamodb.NewFromConfig(cfg).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("acctguard-lock")}); err == nil {
			t.Errorf("account %s: the lock table was created", id)
		}
		repos, err := ecr.NewFromConfig(cfg).DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range repos.Repositories {
			if strings.HasPrefix(aws.ToString(r.RepositoryName), "acctguard-") {
				t.Errorf("account %s: repository %s was created", id, aws.ToString(r.RepositoryName))
			}
		}
	}
	if _, err := os.Stat(filepath.Join(tg.dir, ".tfrebuild", "checkpoint.json")); err == nil {
		t.Error("a file checkpoint was written though the store is DynamoDB")
	}
}
