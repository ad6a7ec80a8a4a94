package bootstrap

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/internal/awserr"
	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

func TestRegistriesInManagementAccountPulledByTarget(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ss := sessionsAt(testenv.SharedMoto(t))
	if _, err := ss.Guard(ctx, targetAcct, mgmtAcct); err != nil {
		t.Fatal(err)
	}
	mgmt, target := openFor(t, ss, mgmtAcct), openFor(t, ss, targetAcct)
	regs := []*config.Registry{{Name: "mgmt-api", Encryption: "AES256"}}
	// The registry's own account in the list needs no grant and is dropped.
	opts := Options{Project: "mgmt", Target: "t/mgmt", PullAccounts: map[string][]string{"mgmt-api": {testenv.Account, mgmtID, testenv.Account}}}

	dry := opts
	dry.DryRun = true
	rep, err := mgmt.EnsureRegistries(ctx, regs, dry)
	if err != nil {
		t.Fatal(err)
	}
	if s := rep.String(); !strings.Contains(s, "would create ecr:mgmt-api") || !strings.Contains(s, "pull from "+testenv.Account) || strings.Contains(s, mgmtID) {
		t.Errorf("dry run should show the pull grant for the target alone: %s", s)
	}

	rep, err = mgmt.EnsureRegistries(ctx, regs, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rep.String(), "cross-account pull policy") {
		t.Errorf("the report does not show the policy being set: %s", rep)
	}
	out, err := mgmt.ECR.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"mgmt-api"}})
	if err != nil || !strings.Contains(aws.ToString(out.Repositories[0].RepositoryArn), ":"+mgmtID+":") {
		t.Fatalf("the repository is not in the management account: %+v %v", out, err)
	}
	if _, err := target.ECR.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"mgmt-api"}}); err == nil {
		t.Error("the repository landed in the target account too")
	}
	_, principals, actions := pullPolicy(t, mgmt, "mgmt-api")
	if !slices.Equal(principals, []string{"arn:aws:iam::" + testenv.Account + ":root"}) {
		t.Errorf("pull granted to %v, want the target account alone", principals)
	}
	for _, a := range []string{"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"} {
		if !slices.Contains(actions, a) {
			t.Errorf("pull policy lacks %s: %v", a, actions)
		}
	}

	rep, err = mgmt.EnsureRegistries(ctx, regs, opts)
	if err != nil || len(rep.Changes) != 0 {
		t.Errorf("a second run changed something: %v %v", rep, err)
	}

	// No account listed any more: tfrebuild's own repository loses the
	// statement, and with it the policy that held nothing else.
	opts.PullAccounts, opts.Converge = nil, true
	if _, err := mgmt.EnsureRegistries(ctx, regs, opts); err != nil {
		t.Fatal(err)
	}
	_, err = mgmt.ECR.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: aws.String("mgmt-api")})
	if !awserr.Is(err, "RepositoryPolicyNotFoundException") {
		t.Errorf("want the emptied policy deleted, got %v", err)
	}
}

// A repository someone else made keeps its own statements; a different
// list of accounts is drift until --repair-state merges ours in.
func TestPullPolicyMergesAndReportsDrift(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	mgmt := openFor(t, sessionsAt(testenv.SharedMoto(t)), mgmtAcct)
	repo := "mgmt-legacy"
	if _, err := mgmt.ECR.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(repo)}); err != nil {
		t.Fatal(err)
	}
	theirs := `{"Version":"2012-10-17","Statement":[{"Sid":"CI","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::555555555555:root"},"Action":["ecr:PutImage"]}]}`
	if _, err := mgmt.ECR.SetRepositoryPolicy(ctx, &ecr.SetRepositoryPolicyInput{RepositoryName: aws.String(repo), PolicyText: aws.String(theirs)}); err != nil {
		t.Fatal(err)
	}
	regs := []*config.Registry{{Name: repo, Encryption: "AES256"}}
	opts := Options{Project: "mgmt", Target: "t/mgmt", Converge: true, PullAccounts: map[string][]string{repo: {"222222222222", testenv.Account}}}
	rep, err := mgmt.EnsureRegistries(ctx, regs, opts)
	if err != nil {
		t.Fatal(err)
	}
	drift := driftOf(rep)
	if len(drift) != 1 || !strings.Contains(drift[0].Detail, "no statement lets account(s) 123456789012, 222222222222 pull") {
		t.Fatalf("want the missing grant reported as drift, got %v", rep)
	}
	if sids, _, _ := pullPolicy(t, mgmt, repo); !slices.Equal(sids, []string{"CI"}) {
		t.Fatalf("drift was fixed without --repair-state: %v", sids)
	}

	opts.Repair = true
	if _, err := mgmt.EnsureRegistries(ctx, regs, opts); err != nil {
		t.Fatal(err)
	}
	sids, principals, _ := pullPolicy(t, mgmt, repo)
	if !slices.Equal(sids, []string{"CI", CrossAccountPullSid}) || len(principals) != 2 {
		t.Fatalf("after repair: statements %v, principals %v", sids, principals)
	}

	// One account fewer: the grant shrinks; none: the statement goes and
	// theirs stays.
	opts.PullAccounts[repo] = []string{testenv.Account}
	if rep, err := mgmt.EnsureRegistries(ctx, regs, opts); err != nil || !strings.Contains(rep.String(), "want "+testenv.Account) {
		t.Fatalf("shrinking the list: %v %v", rep, err)
	}
	if _, principals, _ := pullPolicy(t, mgmt, repo); len(principals) != 1 {
		t.Errorf("pull still granted to %v", principals)
	}
	opts.PullAccounts = nil
	if _, err := mgmt.EnsureRegistries(ctx, regs, opts); err != nil {
		t.Fatal(err)
	}
	if sids, _, _ := pullPolicy(t, mgmt, repo); !slices.Equal(sids, []string{"CI"}) {
		t.Errorf("with no account listed the statements are %v, want theirs alone", sids)
	}
	opts.Repair = false
	if rep, err := mgmt.EnsureRegistries(ctx, regs, opts); err != nil || len(rep.Changes) != 0 {
		t.Errorf("after repair: %v %v", rep, err)
	}
}
