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
	rep, err := s.EnsureRegistries(ctx, regs, Options{Project: "order", Target: "t/order", DryRun: true})
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
	rep, err := s.EnsureBucket(ctx, testenv.Account, st, Options{Project: "elsewhere", Target: "t/elsewhere", Repair: true})
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

// With DriftLater an existing bucket and table are only proved usable; the
// drift of their settings comes from the report's Later, which reads and
// fixes nothing, and the same drift as a full check finds. Repair still
// checks and fixes at once.
func TestDriftLeftForLater(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := session(t, nil)
	st := stateFor("later")
	st.LockTable = "later-lock"
	if _, err := s.EnsureBucket(ctx, testenv.Account, st, Options{Project: "later", Target: "t/later"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EnsureLockTable(ctx, st.LockTable, Options{Project: "later", Target: "t/later"}); err != nil {
		t.Fatal(err)
	}
	_, err := s.S3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(st.Bucket),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusSuspended}})
	if err != nil {
		t.Fatal(err)
	}
	full, err := s.EnsureBucket(ctx, testenv.Account, st, Options{Project: "later", Target: "t/later", DryRun: true})
	if err != nil || full.Later != nil || !strings.Contains(full.String(), "drift s3://later-tfstate: versioning") {
		t.Fatalf("a full check: %v %v", full, err)
	}

	opts := Options{Project: "later", Target: "t/later", DriftLater: true}
	rep, err := s.EnsureBucket(ctx, testenv.Account, st, opts)
	if err != nil || len(rep.Changes) != 0 || rep.Later == nil {
		t.Fatalf("the bucket with DriftLater: %v, later %v, %v", rep, rep.Later != nil, err)
	}
	found, err := rep.Later(ctx)
	if err != nil || found.String() != full.String() {
		t.Errorf("Later found:\n%v (%v)\nwant what the full check found:\n%v", found, err, full)
	}
	ver, _ := s.S3.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(st.Bucket)})
	if ver.Status == s3types.BucketVersioningStatusEnabled {
		t.Error("Later fixed the drift")
	}
	table, err := s.EnsureLockTable(ctx, st.LockTable, opts)
	if err != nil || len(table.Changes) != 0 || table.Later == nil {
		t.Fatalf("the table with DriftLater: %v, %v", table, err)
	}
	if found, err := table.Later(ctx); err != nil || len(found.Changes) != 0 {
		t.Errorf("the table's settings are right: %v %v", found, err)
	}

	opts.Repair = true
	rep, err = s.EnsureBucket(ctx, testenv.Account, st, opts)
	if err != nil || rep.Later != nil || !strings.Contains(rep.String(), "update s3://later-tfstate: versioning") {
		t.Errorf("repair fixes at once: %v %v", rep, err)
	}
}

// A bucket that is not there is created at once, whatever DriftLater says.
func TestDriftLaterCreatesAMissingBucket(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := session(t, nil)
	st := stateFor("laternew")
	rep, err := s.EnsureBucket(ctx, testenv.Account, st, Options{Project: "laternew", Target: "t/laternew", DriftLater: true})
	if err != nil || rep.Later != nil || !strings.Contains(rep.String(), "create s3://laternew-tfstate") {
		t.Errorf("a missing bucket: %v %v", rep, err)
	}
}
