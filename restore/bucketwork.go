package restore

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// versionsWork works out a restore of a bucket to its own state at
// opts.PointInTime: per key, the newest version no later than then becomes
// current again; a key that did not exist then gets a delete marker.
// Nothing is destroyed: copies and delete markers are new versions.
func (b *Buckets) versionsWork(ctx context.Context, opts BucketOptions) (*work, error) {
	ok, err := versioned(ctx, b.Target, opts.Bucket, opts.AccountID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("restore S3 bucket %q from versions: versioning is not enabled on it, so its older versions "+
			"cannot be trusted to exist; restore from a replica (from = \"bucket\") or enable versioning for next time", opts.Bucket)
	}
	at := opts.PointInTime
	w := &work{point: &at}
	err = walkVersions(ctx, b.Target, opts.Bucket, opts.AccountID, b.pageSize, func(key string, es []entry) error {
		then, now := stateAt(es, at)
		live := now != nil && !now.marker
		w.hasData = w.hasData || live
		switch {
		case then != nil && !then.marker:
			if live && (now.id == then.id || now.etag == then.etag && now.size == then.size) {
				w.counts.Unchanged++
				return nil
			}
			w.ops = append(w.ops, op{key: key, version: then.id, size: then.size})
			w.counts.Restored++
		case !live:
			w.counts.Unchanged++
		case opts.KeepNewer:
			w.counts.Kept++
		default:
			w.ops = append(w.ops, op{key: key, delete: true})
			w.counts.Deleted++
		}
		return nil
	})
	return w, err
}

type object struct {
	etag string
	size int64
}

// bucketWork works out a copy of the source bucket's objects (as they were
// at opts.PointInTime, if set) into the target. Objects only the target
// has are left alone (Kept).
func (b *Buckets) bucketWork(ctx context.Context, opts BucketOptions) (*work, error) {
	targetVersioned, err := versioned(ctx, b.Target, opts.Bucket, opts.AccountID)
	if err != nil {
		return nil, err
	}
	existing, err := listCurrent(ctx, b.Target, opts.Bucket, opts.AccountID, b.pageSize, nil)
	if err != nil {
		return nil, err
	}
	w := &work{hasData: len(existing) > 0}
	seen := map[string]bool{}
	var newest time.Time
	add := func(key, version string, o object, at time.Time) {
		seen[key] = true
		if at.After(newest) {
			newest = at
		}
		cur, ok := existing[key]
		if ok && cur == o {
			w.counts.Unchanged++
			return
		}
		if ok && !targetVersioned {
			w.overwrites = append(w.overwrites, key)
		}
		w.ops = append(w.ops, op{key: key, version: version, size: o.size})
		w.counts.Restored++
	}
	if opts.PointInTime.IsZero() {
		_, err = listCurrent(ctx, b.Source, opts.SourceBucket, opts.SourceAccountID, b.pageSize, func(key string, o object, at time.Time) {
			add(key, "", o, at)
		})
		if err != nil {
			return nil, err
		}
		// The newest write the source holds: data written after it was
		// lost, as far as this copy can tell.
		if !newest.IsZero() {
			w.point = &newest
		}
	} else {
		if ok, err := versioned(ctx, b.Source, opts.SourceBucket, opts.SourceAccountID); err != nil || !ok {
			if err == nil {
				err = fmt.Errorf("restore S3 bucket %q from bucket %q as of a point in time: the source has no versioning; "+
					"drop point_in_time to copy its current objects", opts.Bucket, opts.SourceBucket)
			}
			return nil, err
		}
		at := opts.PointInTime
		w.point = &at
		err = walkVersions(ctx, b.Source, opts.SourceBucket, opts.SourceAccountID, b.pageSize, func(key string, es []entry) error {
			if then, _ := stateAt(es, at); then != nil && !then.marker {
				add(key, then.id, object{etag: then.etag, size: then.size}, then.at)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	for k := range existing {
		if !seen[k] {
			w.counts.Kept++
		}
	}
	return w, nil
}

// listCurrent lists a bucket's current objects, calling fn for each when
// fn is set, and returns them by key when it is not.
func listCurrent(ctx context.Context, c S3API, bucket, account string, pageSize int32, fn func(string, object, time.Time)) (map[string]object, error) {
	out := map[string]object{}
	in := &s3.ListObjectsV2Input{Bucket: aws.String(bucket), ExpectedBucketOwner: owner(account)}
	if pageSize > 0 {
		in.MaxKeys = aws.Int32(pageSize)
	}
	p := s3.NewListObjectsV2Paginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list objects of S3 bucket %q: %w", bucket, err)
		}
		for _, o := range page.Contents {
			obj := object{etag: aws.ToString(o.ETag), size: aws.ToInt64(o.Size)}
			if fn != nil {
				fn(aws.ToString(o.Key), obj, aws.ToTime(o.LastModified))
			} else {
				out[aws.ToString(o.Key)] = obj
			}
		}
	}
	return out, nil
}
