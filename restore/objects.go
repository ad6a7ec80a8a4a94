package restore

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// maxCopySize is the largest object one CopyObject call copies.
const maxCopySize = 5 << 30

// op is one write a bucket restore makes.
type op struct {
	key     string
	version string // source version to copy; "" for the current object
	size    int64
	delete  bool
}

// work is a bucket restore worked out: the writes, the counts, the
// recovery point, and the overwrites it would make.
type work struct {
	ops        []op
	counts     ObjectCounts
	point      *time.Time
	overwrites []string
	hasData    bool
}

// apply makes the writes, a few at a time. Each failure is reported; the
// others go on, and a second run finds what was done unchanged.
func (b *Buckets) apply(ctx context.Context, opts BucketOptions, ops []op) error {
	n := opts.Parallelism
	if n <= 0 {
		n = 8
	}
	var mu sync.Mutex
	var errs []error
	next := make(chan op)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for o := range next {
				if err := b.write(ctx, opts, o); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		})
	}
feed:
	for _, o := range ops {
		select {
		case next <- o:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if ctx.Err() != nil {
		errs = append(errs, ctx.Err())
	}
	if len(errs) > 0 {
		return fmt.Errorf("restore S3 bucket %q: %d of %d writes failed; run again to retry them (what was written is kept): %w",
			opts.Bucket, len(errs), len(ops), errors.Join(errs...))
	}
	return nil
}

func (b *Buckets) write(ctx context.Context, opts BucketOptions, o op) error {
	if o.delete {
		_, err := b.Target.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(opts.Bucket), Key: aws.String(o.key),
			ExpectedBucketOwner: owner(opts.AccountID)})
		if err != nil {
			return fmt.Errorf("add a delete marker to %q: %w", o.key, err)
		}
		return nil
	}
	if o.size > maxCopySize {
		return fmt.Errorf("copy %q: %d bytes is over the 5 GiB a single copy can take; copy it by hand (aws s3 cp, which uses multipart copies)", o.key, o.size)
	}
	_, err := b.Target.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(opts.Bucket), Key: aws.String(o.key),
		CopySource: aws.String(copySource(opts.source(), o.key, o.version)), ExpectedBucketOwner: owner(opts.AccountID),
		ExpectedSourceBucketOwner: owner(opts.sourceOwner())})
	if err != nil {
		return fmt.Errorf("copy %q from s3://%s (version %q): %w", o.key, opts.source(), o.version, err)
	}
	return nil
}

// copySource is the URL-encoded bucket/key?versionId=... CopyObject reads.
func copySource(bucket, key, version string) string {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	s := bucket + "/" + strings.Join(parts, "/")
	if version != "" {
		s += "?versionId=" + url.QueryEscape(version)
	}
	return s
}
