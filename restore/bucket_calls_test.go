package restore

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

// watched is moto with every call's expected owner checked (moto does not
// enforce ExpectedBucketOwner, so the test does), and copies of chosen keys
// failing once.
type watched struct {
	S3API
	mu       sync.Mutex
	missing  []string // calls made without the expected owner
	failOnce map[string]bool
}

func (w *watched) check(call string, owner *string) {
	if aws.ToString(owner) != testenv.Account {
		w.mu.Lock()
		w.missing = append(w.missing, call)
		w.mu.Unlock()
	}
}

func (w *watched) HeadBucket(ctx context.Context, in *s3.HeadBucketInput, f ...func(*s3.Options)) (*s3.HeadBucketOutput, error) {
	w.check("HeadBucket", in.ExpectedBucketOwner)
	return w.S3API.HeadBucket(ctx, in, f...)
}

func (w *watched) GetBucketVersioning(ctx context.Context, in *s3.GetBucketVersioningInput, f ...func(*s3.Options)) (*s3.GetBucketVersioningOutput, error) {
	w.check("GetBucketVersioning", in.ExpectedBucketOwner)
	return w.S3API.GetBucketVersioning(ctx, in, f...)
}

func (w *watched) ListObjectVersions(ctx context.Context, in *s3.ListObjectVersionsInput, f ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error) {
	w.check("ListObjectVersions", in.ExpectedBucketOwner)
	return w.S3API.ListObjectVersions(ctx, in, f...)
}

func (w *watched) ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, f ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	w.check("ListObjectsV2", in.ExpectedBucketOwner)
	return w.S3API.ListObjectsV2(ctx, in, f...)
}

func (w *watched) DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, f ...func(*s3.Options)) (*s3.DeleteObjectOutput, error) {
	w.check("DeleteObject", in.ExpectedBucketOwner)
	return w.S3API.DeleteObject(ctx, in, f...)
}

func (w *watched) CopyObject(ctx context.Context, in *s3.CopyObjectInput, f ...func(*s3.Options)) (*s3.CopyObjectOutput, error) {
	w.check("CopyObject", in.ExpectedBucketOwner)
	w.check("CopyObject source", in.ExpectedSourceBucketOwner)
	w.mu.Lock()
	fail := w.failOnce[aws.ToString(in.Key)]
	delete(w.failOnce, aws.ToString(in.Key))
	w.mu.Unlock()
	if fail {
		return nil, errors.New("injected copy failure")
	}
	return w.S3API.CopyObject(ctx, in, f...)
}

func TestFailedWritesAreReportedAndRedoneByASecondRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := s3in(t, region)
	bucket := unique("media")
	makeBucket(t, c, bucket, true)
	for _, k := range []string{"k1", "k2", "k3", "k4"} {
		put(t, c, bucket, k, "good "+k)
	}
	want := contents(t, c, bucket)
	at := nextSecond(t, c, bucket, "k4")
	for _, k := range []string{"k1", "k2", "k3", "k4"} {
		put(t, c, bucket, k, "bad "+k)
	}

	w := &watched{S3API: c, failOnce: map[string]bool{"k2": true}}
	buckets := &Buckets{Target: w, Source: w, Region: region, SourceRegion: region}
	opts := BucketOptions{Bucket: bucket, From: FromVersions, PointInTime: at, AccountID: testenv.Account, Parallelism: 2}
	res, err := buckets.Restore(ctx, opts)
	if err == nil || !strings.Contains(err.Error(), `"k2"`) || !strings.Contains(err.Error(), "1 of 4 writes failed") {
		t.Fatalf("%v, want the failed copy of k2 reported", err)
	}
	if res == nil || res.Objects.Restored != 4 {
		t.Errorf("result with a failure: %+v", res)
	}
	if got := contents(t, c, bucket); got["k1"] != "good k1" || got["k2"] != "bad k2" || got["k4"] != "good k4" {
		t.Errorf("after a partly failed run: %v", got)
	}
	res, err = buckets.Restore(ctx, opts)
	if err != nil || *res.Objects != (ObjectCounts{Restored: 1, Unchanged: 3}) {
		t.Fatalf("second run: %+v, %v; want only k2 restored", res, err)
	}
	if got := contents(t, c, bucket); !equal(got, want) {
		t.Errorf("after the second run: %v", got)
	}
	if len(w.missing) > 0 {
		t.Errorf("calls without the expected bucket owner: %v", w.missing)
	}
}
