package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// The same-account restore: the state bucket exists with versioning off.
// apply reports the drift and leaves it; status shows it; --repair-state
// fixes it.
func TestExistingBucketDriftThenRepair(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tg := newTarget(t, "restore")
	tg.write("")
	_, err := tg.s3().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(tg.bucket()),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: "eu-west-2"}})
	if err != nil {
		t.Fatal(err)
	}
	res := tg.run("apply", "--yes")
	wantCode(t, res, 0)
	if !strings.Contains(res.Stderr, "drift s3://"+tg.bucket()+": versioning") {
		t.Errorf("apply should report the versioning drift:\n%s", res.Stderr)
	}
	ver, _ := tg.s3().GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(tg.bucket())})
	if ver.Status == s3types.BucketVersioningStatusEnabled {
		t.Fatal("apply fixed drift without --repair-state")
	}
	st := tg.run("status", "--json")
	wantCode(t, st, 0)
	var status struct {
		Drift  []string `json:"drift"`
		Stages []struct {
			Name   string `json:"name"`
			Status string `json:"status"`
		} `json:"stages"`
	}
	if err := json.Unmarshal([]byte(st.Stdout), &status); err != nil {
		t.Fatalf("status --json: %v\n%s", err, st.Stdout)
	}
	if len(status.Drift) == 0 || !strings.Contains(strings.Join(status.Drift, "\n"), "versioning") {
		t.Errorf("status should list the drift: %+v", status.Drift)
	}

	res = tg.run("apply", "--yes", "--repair-state")
	wantCode(t, res, 0)
	ver, _ = tg.s3().GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(tg.bucket())})
	if ver.Status != s3types.BucketVersioningStatusEnabled {
		t.Error("--repair-state did not enable versioning")
	}
	st = tg.run("status")
	if strings.Contains(st.Stdout, "drift") {
		t.Errorf("drift still reported after repair:\n%s", st.Stdout)
	}

	// Drift that appears once the state stage is done: the next apply
	// proves the bucket, checks its settings beside the stacks, and still
	// reports the drift, in its output and in status.
	_, err = tg.s3().PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(tg.bucket()),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusSuspended}})
	if err != nil {
		t.Fatal(err)
	}
	res = tg.run("apply", "--yes")
	wantCode(t, res, 0)
	if !strings.Contains(res.Stderr, "drift s3://"+tg.bucket()+": versioning") {
		t.Errorf("an apply after the state stage was done should report the new drift:\n%s", res.Stderr)
	}
	if st = tg.run("status"); !strings.Contains(st.Stdout, "versioning") {
		t.Errorf("status should list the new drift:\n%s", st.Stdout)
	}
}

func TestForeignStateBucketStopsTheRun(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, "foreign")
	tg.write("")
	// The name is taken in moto by account 111111111111 first.
	other := assumeOther(t, tg)
	_, err := other.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(tg.bucket()),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: "eu-west-2"}})
	if err != nil {
		t.Fatal(err)
	}
	res := tg.run("apply", "--yes")
	wantCode(t, res, 1)
	for _, want := range []string{"belongs to another AWS account", "Choose another name", "state: "} {
		if !strings.Contains(res.Stderr+res.Stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, res.Stderr)
		}
	}
	tags, err := other.GetBucketTagging(context.Background(), &s3.GetBucketTaggingInput{Bucket: aws.String(tg.bucket())})
	if err == nil && len(tags.TagSet) > 0 {
		t.Error("tfrebuild wrote tags into another account's bucket")
	}
	c := tg.checkpoint()
	if c.Stages["state"].Status != "failed" || c.Stages["registries"].Status != "blocked" {
		t.Errorf("checkpoint: state %s, registries %s", c.Stages["state"].Status, c.Stages["registries"].Status)
	}
}
