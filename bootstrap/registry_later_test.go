package bootstrap

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/tfrebuild/tfrebuild/config"
)

// On a resume (DriftLater), a repository that exists is only described
// before the stacks: its tags and settings are checked by the Report's
// Later, which finds what drifted and fixes nothing; a missing one is
// still created at once.
func TestRegistrySettingsAreCheckedLaterOnAResume(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := session(t, nil)
	regs := []*config.Registry{{Name: "later-api", Immutable: true, Encryption: "AES256"}}
	if _, err := s.EnsureRegistries(ctx, regs, Options{Project: "later"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ECR.PutImageTagMutability(ctx, &ecr.PutImageTagMutabilityInput{RepositoryName: aws.String("later-api"),
		ImageTagMutability: ecrtypes.ImageTagMutabilityMutable}); err != nil {
		t.Fatal(err)
	}
	resume := Options{Project: "later", DriftLater: true}
	rep, err := s.EnsureRegistries(ctx, append(regs, &config.Registry{Name: "later-new", Encryption: "AES256"}), resume)
	if err != nil || rep.Later == nil {
		t.Fatalf("a resume's registries: %+v %v", rep, err)
	}
	if len(rep.Changes) != 1 || rep.Changes[0].Resource != "ecr:later-new" || rep.Changes[0].Action != Create {
		t.Errorf("before the stacks: %+v, want only the missing repository created", rep.Changes)
	}
	found, err := rep.Later(ctx)
	if err != nil || len(found.Changes) != 1 || found.Changes[0].Resource != "ecr:later-api" || found.Changes[0].Action != Drift {
		t.Errorf("the later check: %+v %v", found, err)
	}
	repo, err := s.ECR.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"later-api"}})
	if err != nil || repo.Repositories[0].ImageTagMutability != ecrtypes.ImageTagMutabilityMutable {
		t.Errorf("the later check fixed what it found: %v (found %+v)", err, found)
	}
}
