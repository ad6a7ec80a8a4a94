package restore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// MissingBucketError is a restore into a bucket that does not exist (yet):
// the stack that owns it has to create it first.
type MissingBucketError struct {
	Bucket string
	Region string
}

func (e *MissingBucketError) Error() string {
	return fmt.Sprintf("restore S3 bucket %q: the bucket does not exist in %s (or belongs to another account); "+
		"the restore runs after the stack that creates it", e.Bucket, e.Region)
}

// Restore brings the objects back into opts.Bucket. It works out every
// write first, refuses before writing if a write would overwrite an object
// that nothing keeps (ExistingDataError), then writes. Some writes failing
// does not stop the others: the Result counts what was planned, the error
// lists what failed, and a second run redoes only what is still missing.
func (b *Buckets) Restore(ctx context.Context, opts BucketOptions) (*Result, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if err := b.exists(ctx, opts.Bucket, opts.AccountID); err != nil {
		return nil, err
	}
	w, err := b.work(ctx, opts)
	if err != nil {
		return nil, err
	}
	if len(w.overwrites) > 0 && !opts.AcceptExisting {
		return nil, &ExistingDataError{Bucket: opts.Bucket, Overwrites: len(w.overwrites), Examples: w.overwrites[:min(5, len(w.overwrites))]}
	}
	res := &Result{Kind: KindS3, Target: opts.Bucket, From: opts.From, Source: b.describe(opts),
		Outcome: Unchanged, RecoveryPoint: w.point, Objects: &w.counts}
	if len(w.ops) > 0 {
		res.Outcome = Restored
	}
	b.note("bucket %s: %d to restore, %d to delete, %d unchanged, %d kept", opts.Bucket,
		w.counts.Restored, w.counts.Deleted, w.counts.Unchanged, w.counts.Kept)
	err = b.apply(ctx, opts, w.ops)
	res.RestoredAt = b.now()
	return res, err
}

// Plan reports what Restore would do, writing nothing.
func (b *Buckets) Plan(ctx context.Context, opts BucketOptions) (*Plan, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	p := &Plan{Kind: KindS3, Target: opts.Bucket, From: opts.From, Source: b.describe(opts), Action: ActionRestore}
	if !opts.PointInTime.IsZero() {
		at := opts.PointInTime
		p.RecoveryPoint = &at
	}
	err := b.exists(ctx, opts.Bucket, opts.AccountID)
	var missing *MissingBucketError
	switch {
	case errors.As(err, &missing):
		p.Problem = err.Error()
		p.Unchecked = append(p.Unchecked, "the target bucket's versioning and objects: it does not exist yet")
		if opts.From == FromBucket {
			b.planSource(ctx, opts, p)
		}
		return p, nil
	case err != nil:
		return nil, err
	}
	p.TargetExists = true
	w, err := b.work(ctx, opts)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		p.Problem = err.Error()
		return p, nil
	}
	p.TargetHasData, p.Objects, p.RecoveryPoint = w.hasData, &w.counts, w.point
	switch {
	case len(w.overwrites) > 0 && !opts.AcceptExisting:
		p.Action, p.Problem = ActionRefuse, (&ExistingDataError{Bucket: opts.Bucket, Overwrites: len(w.overwrites),
			Examples: w.overwrites[:min(5, len(w.overwrites))]}).Error()
	case len(w.ops) == 0:
		p.Action = ActionDone
	}
	return p, nil
}

// planSource reads the source of a copy into a bucket that does not exist
// yet: every object it would copy is one to restore, and its recovery
// point is computed as apply computes it. A source that cannot be read
// joins the problem.
func (b *Buckets) planSource(ctx context.Context, opts BucketOptions, p *Plan) {
	var n int
	var newest time.Time
	seen := func(at time.Time) {
		n++
		if at.After(newest) {
			newest = at
		}
	}
	if !opts.PointInTime.IsZero() {
		if ok, err := versioned(ctx, b.Source, opts.SourceBucket, opts.SourceAccountID); err != nil || !ok {
			if err == nil {
				err = fmt.Errorf("source bucket %q has no versioning, so it cannot be copied as of point_in_time", opts.SourceBucket)
			}
			p.Problem += "; " + err.Error()
			return
		}
	}
	var err error
	if opts.PointInTime.IsZero() {
		_, err = listCurrent(ctx, b.Source, opts.SourceBucket, opts.SourceAccountID, b.pageSize, func(_ string, _ object, at time.Time) { seen(at) })
	} else {
		err = walkVersions(ctx, b.Source, opts.SourceBucket, opts.SourceAccountID, b.pageSize, func(_ string, es []entry) error {
			if then, _ := stateAt(es, opts.PointInTime); then != nil && !then.marker {
				seen(then.at)
			}
			return nil
		})
	}
	if err != nil {
		p.Problem += "; " + err.Error()
		return
	}
	p.Objects = &ObjectCounts{Restored: n}
	if opts.PointInTime.IsZero() && !newest.IsZero() {
		p.RecoveryPoint = &newest
	}
}

func (b *Buckets) work(ctx context.Context, opts BucketOptions) (*work, error) {
	if opts.From == FromVersions {
		return b.versionsWork(ctx, opts)
	}
	return b.bucketWork(ctx, opts)
}

func (b *Buckets) exists(ctx context.Context, bucket, account string) error {
	_, err := b.Target.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket), ExpectedBucketOwner: owner(account)})
	switch {
	case hasCode(err, "NotFound", "NoSuchBucket", "Forbidden", "AccessDenied"):
		return &MissingBucketError{Bucket: bucket, Region: b.Region}
	case err != nil:
		return fmt.Errorf("look up S3 bucket %q in %s: %w", bucket, b.Region, err)
	}
	return nil
}

func (b *Buckets) describe(opts BucketOptions) string {
	s := "s3://" + opts.Bucket + " versions"
	if opts.From == FromBucket {
		s = "s3://" + opts.SourceBucket + " in " + b.SourceRegion
	}
	if !opts.PointInTime.IsZero() {
		s += " at " + opts.PointInTime.UTC().Format(time.RFC3339)
	}
	return s
}
