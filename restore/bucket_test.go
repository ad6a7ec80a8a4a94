package restore

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

func TestRestoreVersionsToPointInTime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := s3in(t, region)
	bucket := unique("uploads")
	makeBucket(t, c, bucket, true)
	put(t, c, bucket, "a.txt", "a: first")
	put(t, c, bucket, "a.txt", "a: good")
	put(t, c, bucket, "b.txt", "b: good")
	put(t, c, bucket, "dir/c d+e.txt", "c: good")
	put(t, c, bucket, "gone.txt", "deleted before t")
	del(t, c, bucket, "gone.txt")
	put(t, c, bucket, "same.txt", "untouched")
	want := contents(t, c, bucket)
	at := nextSecond(t, c, bucket, "same.txt")

	// The incident: overwritten, deleted, and new objects.
	put(t, c, bucket, "a.txt", "a: CORRUPT")
	put(t, c, bucket, "dir/c d+e.txt", "c: CORRUPT")
	del(t, c, bucket, "b.txt")
	put(t, c, bucket, "new.txt", "written after t")
	put(t, c, bucket, "gone.txt", "came back after t")

	buckets := NewBuckets(awsConfig(t), "", s3opts)
	buckets.pageSize = 2 // keys' versions span pages
	opts := BucketOptions{Bucket: bucket, From: FromVersions, PointInTime: at, AccountID: testenv.Account}
	p, err := buckets.Plan(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	wantCounts := ObjectCounts{Restored: 3, Unchanged: 1, Deleted: 2}
	if p.Action != ActionRestore || p.Objects == nil || *p.Objects != wantCounts || !p.TargetHasData || p.Problem != "" {
		t.Fatalf("plan %+v (objects %+v), want counts %+v", p, p.Objects, wantCounts)
	}
	keep := opts
	keep.KeepNewer = true
	if p, err := buckets.Plan(ctx, keep); err != nil || *p.Objects != (ObjectCounts{Restored: 3, Unchanged: 1, Kept: 2}) {
		t.Errorf("plan keeping newer objects: %+v, %v", p.Objects, err)
	}

	res, err := buckets.Restore(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := contents(t, c, bucket); !equal(got, want) {
		t.Errorf("after restore: %v\nwant %v", got, want)
	}
	if res.Outcome != Restored || *res.Objects != wantCounts || res.RecoveryPoint == nil || !res.RecoveryPoint.Equal(at) {
		t.Errorf("result %+v (objects %+v)", res, res.Objects)
	}
	// Nothing was destroyed: the corrupt version is still there.
	v, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), Prefix: aws.String("new.txt")})
	if err != nil || len(v.Versions) != 1 {
		t.Errorf("versions of new.txt after the restore: %v, %v", v, err)
	}

	again, err := buckets.Restore(ctx, opts)
	if err != nil || again.Outcome != Unchanged || again.Objects.Restored+again.Objects.Deleted != 0 {
		t.Errorf("second run: %+v, %v; want nothing to do", again, err)
	}
}

func TestVersionsNeedVersioning(t *testing.T) {
	t.Parallel()
	c := s3in(t, region)
	bucket := unique("plain")
	makeBucket(t, c, bucket, false)
	_, err := NewBuckets(awsConfig(t), "", s3opts).Restore(context.Background(), BucketOptions{Bucket: bucket, From: FromVersions, PointInTime: time.Now()})
	if err == nil || !strings.Contains(err.Error(), "versioning is not enabled") {
		t.Errorf("%v, want a refusal naming versioning", err)
	}
	_, err = NewBuckets(awsConfig(t), "", s3opts).Restore(context.Background(), BucketOptions{Bucket: unique("nobucket"), From: FromVersions, PointInTime: time.Now()})
	var mb *MissingBucketError
	if !errors.As(err, &mb) {
		t.Errorf("%v, want MissingBucketError", err)
	}
}

func TestCopyFromBucketInAnotherRegion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src, dst := s3in(t, "us-east-1"), s3in(t, region)
	replica, target := unique("replica"), unique("target")
	makeBucket(t, src, replica, false)
	makeBucket(t, dst, target, false)
	for _, k := range []string{"x/1.json", "x/2.json", "y z.bin", "same.txt"} {
		put(t, src, replica, k, "replica "+k)
	}
	put(t, dst, target, "same.txt", "replica same.txt")
	put(t, dst, target, "x/1.json", "local edit")
	put(t, dst, target, "only-here.txt", "target only")

	buckets := NewBuckets(awsConfig(t), "us-east-1", s3opts)
	buckets.pageSize = 2
	wt, ws := &watched{S3API: buckets.Target}, &watched{S3API: buckets.Source}
	buckets.Target, buckets.Source = wt, ws
	defer func() {
		if m := append(wt.missing, ws.missing...); len(m) > 0 {
			t.Errorf("calls without the expected bucket owner: %v", m)
		}
	}()
	opts := BucketOptions{Bucket: target, From: FromBucket, SourceBucket: replica, AccountID: testenv.Account, SourceAccountID: testenv.Account}
	_, err := buckets.Restore(ctx, opts)
	var ex *ExistingDataError
	if !errors.As(err, &ex) || ex.Overwrites != 1 || ex.Examples[0] != "x/1.json" {
		t.Fatalf("%v, want a refusal to overwrite x/1.json in an unversioned bucket", err)
	}
	if got := contents(t, dst, target)["x/1.json"]; got != "local edit" {
		t.Fatalf("refused restore wrote: %q", got)
	}
	if p, err := buckets.Plan(ctx, opts); err != nil || p.Action != ActionRefuse {
		t.Errorf("plan %+v, %v: want refuse", p, err)
	}

	opts.AcceptExisting = true
	res, err := buckets.Restore(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"x/1.json": "replica x/1.json", "x/2.json": "replica x/2.json", "y z.bin": "replica y z.bin",
		"same.txt": "replica same.txt", "only-here.txt": "target only"}
	if got := contents(t, dst, target); !equal(got, want) {
		t.Errorf("after copy: %v\nwant %v", got, want)
	}
	if *res.Objects != (ObjectCounts{Restored: 3, Unchanged: 1, Kept: 1}) || res.RecoveryPoint == nil {
		t.Errorf("result %+v, objects %+v", res, res.Objects)
	}
	if again, err := buckets.Restore(ctx, opts); err != nil || again.Outcome != Unchanged {
		t.Errorf("second run: %+v, %v", again, err)
	}
}

func TestCopyFromVersionedBucketAtPointInTime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := s3in(t, region)
	backup, target := unique("backup"), unique("restored")
	makeBucket(t, c, backup, true)
	makeBucket(t, c, target, true)
	put(t, c, backup, "k1", "v1 good")
	put(t, c, backup, "k2", "v2 good")
	at := nextSecond(t, c, backup, "k2")
	put(t, c, backup, "k1", "v1 bad")
	put(t, c, backup, "k3", "later")
	del(t, c, backup, "k2")

	res, err := NewBuckets(awsConfig(t), "", s3opts).Restore(ctx, BucketOptions{Bucket: target, From: FromBucket, SourceBucket: backup, PointInTime: at})
	if err != nil {
		t.Fatal(err)
	}
	if got := contents(t, c, target); !equal(got, map[string]string{"k1": "v1 good", "k2": "v2 good"}) {
		t.Errorf("copied %v", got)
	}
	if !res.RecoveryPoint.Equal(at) {
		t.Errorf("recovery point %v, want %v", res.RecoveryPoint, at)
	}
}

func TestNewestFirstAndStateAt(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 25, 6, 0, 0, 0, time.UTC)
	es := newestFirst([]entry{
		{id: "v1", at: t0},
		{id: "m1", at: t0.Add(time.Second), marker: true},
		{id: "v2", at: t0.Add(time.Second)}, // same second as the marker
		{id: "v3", at: t0.Add(3 * time.Second), latest: true},
	})
	var order []string
	for _, e := range es {
		order = append(order, e.id)
	}
	if strings.Join(order, ",") != "v3,v2,m1,v1" {
		t.Errorf("order %v", order)
	}
	for _, tc := range []struct {
		at   time.Time
		want string
	}{{t0.Add(-time.Second), ""}, {t0, "v1"}, {t0.Add(time.Second), "v2"}, {t0.Add(2 * time.Second), "v2"}, {t0.Add(time.Hour), "v3"}} {
		then, now := stateAt(es, tc.at)
		got := ""
		if then != nil {
			got = then.id
		}
		if got != tc.want || now.id != "v3" {
			t.Errorf("at %v: then %q now %q, want %q, v3", tc.at, got, now.id, tc.want)
		}
	}
}

func TestCopySource(t *testing.T) {
	t.Parallel()
	if got := copySource("b", "dir/a b+c?.txt", "v 1"); got != "b/dir/a%20b+c%3F.txt?versionId=v+1" {
		t.Errorf("copySource = %s", got)
	}
}
