package bootstrap

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/tfrebuild/tfrebuild/config"
)

// #23.1: ownership is the target's, not the project's. Production and its
// DR config share a project; a teardown of the DR target keeps the
// repository production created (saying whose it is), a dry run lists
// without deleting, and production's own teardown deletes it.
func TestTeardownDeletesOnlyWhatThisTargetCreated(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := session(t, nil)
	regs := []*config.Registry{{Name: "owned-api", Encryption: "AES256"}}
	prod := Options{Project: "owned", Target: "123456789012/eu-west-2/owned/rebuild.hcl"}
	dr := Options{Project: "owned", Target: "123456789012/eu-west-1/owned/rebuild.hcl"}
	if _, err := s.EnsureRegistries(ctx, regs, prod); err != nil {
		t.Fatal(err)
	}
	exists := func() bool {
		_, err := s.ECR.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"owned-api"}})
		return err == nil
	}

	rep, err := s.DeleteRegistries(ctx, regs, dr)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Changes) != 1 || rep.Changes[0].Action != Keep || !strings.Contains(rep.Changes[0].Detail, prod.Target) || !exists() {
		t.Fatalf("the DR teardown should keep production's repository and say whose it is: %s", rep)
	}
	dry := prod
	dry.DryRun = true
	if rep, err = s.DeleteRegistries(ctx, regs, dry); err != nil || rep.Changes[0].Action != Delete || rep.Changes[0].Applied || !exists() {
		t.Fatalf("a dry run should list the deletion and delete nothing: %s %v", rep, err)
	}
	if rep, err = s.DeleteRegistries(ctx, regs, prod); err != nil || !rep.Changes[0].Applied || exists() {
		t.Fatalf("production's teardown should delete what it created: %s %v", rep, err)
	}
}
