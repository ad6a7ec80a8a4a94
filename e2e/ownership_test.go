package e2e

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

// sharedRegistryConfig is a target of project "ownshared" in region whose
// registry lives in the management account: production and its DR config
// declare the same one, as the seed runbook lays them out.
func sharedRegistryConfig(region, bucket string) string {
	return fmt.Sprintf(`project = "ownshared"
rto     = "30m"
terraform {
  version = "1.11.4"
}
target {
  account_id = "123456789012"
  region     = %q
}
account "mgmt" {
  account_id = %q
  region     = "eu-west-1"
  role_arn   = "arn:aws:iam::%s:role/x"
}
state {
  bucket                  = %q
  lock_table              = "%s-lock"
  deny_insecure_transport = false
}
registry "api" {
  account = account.mgmt
  name    = "ownshared-api"
}
stack "base" {
  source = "{{stacks}}/base"
  inputs = { name = "core" }
}
`, region, mgmtID, mgmtID, bucket, bucket)
}

// recorded reports whether a checkpoint records resource in account as
// created by its target.
func recorded(created []checkpoint.Created, resource, account string) bool {
	return slices.ContainsFunc(created, func(c checkpoint.Created) bool { return c.Resource == resource && c.Account == account })
}

// A minimal Docker image manifest: enough for ECR to record an image.
const testManifest = `{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",` +
	`"config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7023,"digest":"sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7"},` +
	`"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":32654,"digest":"sha256:e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f"}]}`

// #23.1: production created the registry in the shared management account
// and pushed an image; a drill of the DR config (with --all, and with
// --fresh) uses that registry, passes, and leaves it and its image where
// they are, saying it kept them and why. Production's plan stays clean.
func TestDrillKeepsTheRegistryAnotherTargetCreated(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	prod := newTarget(t, "ownshared")
	prod.writeConfig(sharedRegistryConfig("eu-west-2", prod.bucket()))
	drEnv := *prod.env
	drEnv.Vars = maps.Clone(prod.env.Vars)
	drEnv.Vars["AWS_REGION"] = "eu-west-1"
	dr := &target{t: t, env: &drEnv, dir: t.TempDir(), project: "ownshared"}
	dr.writeConfig(sharedRegistryConfig("eu-west-1", "ownshared-dr-tfstate"))

	wantCode(t, prod.run("apply", "--yes"), 0)
	mgmt := ecr.NewFromConfig(prod.as(mgmtID, "eu-west-1"))
	// Recorded, not guessed: in the checkpoint and as a tag naming the target.
	if !recorded(prod.checkpoint().Created, "ecr:ownshared-api", mgmtID) || !recorded(prod.checkpoint().Created, "s3://"+prod.bucket(), testenv.Account) {
		t.Errorf("production's checkpoint does not record what it created: %+v", prod.checkpoint().Created)
	}
	repo, err := mgmt.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"ownshared-api"}})
	if err != nil {
		t.Fatal(err)
	}
	tags, err := mgmt.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: repo.Repositories[0].RepositoryArn})
	if err != nil || !slices.ContainsFunc(tags.Tags, func(tg ecrtypes.Tag) bool {
		return aws.ToString(tg.Key) == "tfrebuild:target" && aws.ToString(tg.Value) == "123456789012/eu-west-2/ownshared/rebuild.hcl"
	}) {
		t.Errorf("the registry is not tagged with the target that created it: %+v %v", tags, err)
	}
	if _, err := mgmt.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("ownshared-api"),
		ImageManifest: aws.String(testManifest), ImageTag: aws.String("v1")}); err != nil {
		t.Fatalf("push an image to production's registry: %v", err)
	}
	stillThere := func(after string) {
		t.Helper()
		out, err := mgmt.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("ownshared-api"),
			ImageIds: []ecrtypes.ImageIdentifier{{ImageTag: aws.String("v1")}}})
		if err != nil || len(out.ImageDetails) != 1 {
			t.Fatalf("after %s, production's registry or its image is gone: %v", after, err)
		}
	}

	res := dr.run("drill", "--yes", "--all")
	wantCode(t, res, 0)
	if !strings.Contains(res.Stdout, "PASSED") {
		t.Errorf("the DR drill should pass:\n%s\n%s", res.Stdout, res.Stderr)
	}
	stillThere("drill --all")
	if st := stageStatuses(t, dr); st["registries"] != "kept" || st["state"] != "destroyed" || st["stack.base"] != "destroyed" {
		t.Errorf("the DR status after the drill should say what was kept and destroyed: %v", st)
	}
	if !strings.Contains(res.Stdout, "ecr:ownshared-api") || !strings.Contains(res.Stdout, "kept") ||
		!strings.Contains(res.Stdout, "123456789012/eu-west-2/ownshared/rebuild.hcl") {
		t.Errorf("the teardown should say it kept production's registry, and whose it is:\n%s", res.Stdout)
	}

	wantCode(t, dr.run("apply", "--yes"), 0)
	if c := dr.checkpoint().Created; recorded(c, "ecr:ownshared-api", mgmtID) || !recorded(c, "s3://ownshared-dr-tfstate", testenv.Account) {
		t.Errorf("the DR checkpoint should record its own state bucket and not production's registry: %+v", c)
	}
	res = dr.run("drill", "--yes", "--all", "--fresh")
	wantCode(t, res, 0)
	stillThere("drill --fresh")
	fresh, _, _ := strings.Cut(res.Stdout, "drill: tearing down\n")
	wantList := []string{
		"will delete in target (123456789012, eu-west-1)",
		"the state of stack base",
		"s3://ownshared-dr-tfstate",
		"dynamodb:ownshared-dr-tfstate-lock",
		`will keep in account "mgmt" (` + mgmtID + `, eu-west-1)`,
		"ecr:ownshared-api",
	}
	for _, w := range wantList {
		if !strings.Contains(fresh, w) {
			t.Errorf("--fresh should list %q before deleting:\n%s", w, fresh)
		}
	}
	if del, _, _ := strings.Cut(fresh, "will keep"); strings.Contains(del, "ecr:ownshared-api") {
		t.Errorf("--fresh lists production's registry among what it deletes:\n%s", fresh)
	}

	plan := prod.run("plan", "--detailed-exitcode")
	wantCode(t, plan, 0)
	if prod.state("base") == nil {
		t.Error("the DR drill touched production's stack")
	}
	if !prod.lists(prod.as(testenv.Account, "eu-west-2"), prod.bucket()) {
		t.Error("the DR drill deleted production's state bucket")
	}

	// Production's own teardown still deletes what production created.
	wantCode(t, prod.run("destroy", "--all", "--yes"), 0)
	if _, err := mgmt.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"ownshared-api"}}); err == nil {
		t.Error("production's destroy --all left the registry it created")
	}
}
