package bootstrap

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

// Registries are read several at once, yet reported in config order:
// missing ones as creations, existing ones with their drift.
func TestRegistriesReportedInConfigOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := session(t, nil)
	var regs []*config.Registry
	var want []string
	for i := range 6 {
		r := &config.Registry{Name: fmt.Sprintf("order-%d", i), Immutable: true, Encryption: "AES256"}
		regs = append(regs, r)
		if i%2 == 1 {
			want = append(want, "would create ecr:"+r.Name)
			continue
		}
		// An existing repository with mutable tags: drift.
		_, err := s.ECR.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(r.Name),
			ImageTagMutability: ecrtypes.ImageTagMutabilityMutable})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, "drift ecr:"+r.Name)
	}
	rep, err := s.EnsureRegistries(ctx, regs, Options{Project: "order", DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range rep.Changes {
		verb, res, _ := strings.Cut(c.String(), ":")
		got = append(got, verb+":"+strings.SplitN(res, ":", 2)[0])
	}
	if !slices.Equal(got, want) {
		t.Errorf("changes in this order:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A bucket of ours in another region is refused with the region error,
// although its settings are read alongside its region, and nothing in it
// is changed.
func TestExistingBucketInAnotherRegion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := session(t, nil)
	st := stateFor("elsewhere")
	cfg := s.Config.Copy()
	cfg.Region = "us-west-2"
	west := NewSession(cfg, s.Endpoints)
	_, err := west.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(st.Bucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: "us-west-2"}})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s.EnsureBucket(ctx, testenv.Account, st, Options{Project: "elsewhere", Repair: true})
	if err == nil || !strings.Contains(err.Error(), `state bucket "elsewhere-tfstate" is in us-west-2, not `+region) {
		t.Fatalf("err = %v, want the region error", err)
	}
	if len(rep.Changes) != 0 {
		t.Errorf("changes = %v, want none", rep.Changes)
	}
	ver, err := west.S3.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(st.Bucket)})
	if err != nil || ver.Status == s3types.BucketVersioningStatusEnabled {
		t.Errorf("versioning of a bucket in the wrong region was changed (%v)", err)
	}
}
