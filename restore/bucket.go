package restore

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// S3API is the part of the S3 client a bucket restore uses.
type S3API interface {
	HeadBucket(context.Context, *s3.HeadBucketInput, ...func(*s3.Options)) (*s3.HeadBucketOutput, error)
	GetBucketVersioning(context.Context, *s3.GetBucketVersioningInput, ...func(*s3.Options)) (*s3.GetBucketVersioningOutput, error)
	ListObjectVersions(context.Context, *s3.ListObjectVersionsInput, ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error)
	ListObjectsV2(context.Context, *s3.ListObjectsV2Input, ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	CopyObject(context.Context, *s3.CopyObjectInput, ...func(*s3.Options)) (*s3.CopyObjectOutput, error)
	DeleteObject(context.Context, *s3.DeleteObjectInput, ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
}

var _ S3API = (*s3.Client)(nil)

// BucketOptions is one S3 restore block.
type BucketOptions struct {
	// Bucket is the target: the objects are brought back into it.
	Bucket string
	// From is FromVersions (the bucket's own older versions) or FromBucket
	// (copies from SourceBucket).
	From string
	// PointInTime: FromVersions restores every object as it was then
	// (required); FromBucket copies the source's objects as they were then
	// (optional; the source must be versioned), else its current objects.
	PointInTime time.Time
	// SourceBucket is the bucket copied from (FromBucket).
	SourceBucket string
	// AccountID and SourceAccountID, when set, are sent as the expected
	// bucket owners, so that a bucket of the same name in another account
	// is never read or written.
	AccountID, SourceAccountID string
	// KeepNewer leaves in place objects that did not exist at PointInTime
	// (created later, or deleted then). By default they get a delete
	// marker: "as they were" means they were not there. Their versions stay.
	KeepNewer bool
	// AcceptExisting lets a bucket copy overwrite differing objects in a
	// target without versioning.
	AcceptExisting bool
	// Parallelism is how many objects are copied at once (default 8).
	Parallelism int
}

func (o BucketOptions) validate() error {
	switch {
	case o.Bucket == "":
		return fmt.Errorf("restore S3 bucket: no target bucket name")
	case o.From == FromVersions && o.PointInTime.IsZero():
		return fmt.Errorf("restore S3 bucket %q from versions: point_in_time is required (the moment to bring the objects back to)", o.Bucket)
	case o.From == FromVersions && o.SourceBucket != "" && o.SourceBucket != o.Bucket:
		return fmt.Errorf("restore S3 bucket %q: source_bucket is set but from = %q restores the bucket's own versions; use from = %q", o.Bucket, o.From, FromBucket)
	case o.From == FromBucket && (o.SourceBucket == "" || o.SourceBucket == o.Bucket):
		return fmt.Errorf("restore S3 bucket %q from a bucket: source_bucket must name another bucket", o.Bucket)
	case o.From != FromVersions && o.From != FromBucket:
		return fmt.Errorf("restore S3 bucket %q: from = %q; use %q or %q", o.Bucket, o.From, FromVersions, FromBucket)
	}
	return nil
}

func (o BucketOptions) source() string {
	if o.From == FromBucket {
		return o.SourceBucket
	}
	return o.Bucket
}

func (o BucketOptions) sourceOwner() string {
	if o.From == FromBucket {
		return o.SourceAccountID
	}
	return o.AccountID
}

// Buckets restores S3 objects into buckets of one region, from buckets in
// a source region (the same one by default).
type Buckets struct {
	Target       S3API
	Source       S3API
	Region       string
	SourceRegion string
	Now          func() time.Time
	// Note, when set, receives progress (the engine turns it into
	// stage_note events): bucket names and counts only.
	Note func(msg string)
	// pageSize caps list pages (tests: keys spanning pages); 0 for S3's.
	pageSize int32
}

// NewBuckets builds the clients from cfg: the target in cfg.Region, the
// source in sourceRegion ("" for the same region). optFns apply to both
// (path-style addressing for emulators, endpoints).
func NewBuckets(cfg aws.Config, sourceRegion string, optFns ...func(*s3.Options)) *Buckets {
	b := &Buckets{Target: s3.NewFromConfig(cfg, optFns...), Region: cfg.Region, SourceRegion: cfg.Region}
	b.Source = b.Target
	if sourceRegion != "" && sourceRegion != cfg.Region {
		src := cfg.Copy()
		src.Region = sourceRegion
		b.Source = s3.NewFromConfig(src, optFns...)
		b.SourceRegion = sourceRegion
	}
	return b
}

func (b *Buckets) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

func (b *Buckets) note(format string, args ...any) {
	if b.Note != nil {
		b.Note(fmt.Sprintf(format, args...))
	}
}

func owner(id string) *string {
	if id == "" {
		return nil
	}
	return aws.String(id)
}

// versioned reports whether versioning is Enabled (not Suspended, not
// never enabled) on a bucket.
func versioned(ctx context.Context, c S3API, bucket, account string) (bool, error) {
	out, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(bucket), ExpectedBucketOwner: owner(account)})
	if err != nil {
		return false, fmt.Errorf("read versioning of S3 bucket %q: %w", bucket, err)
	}
	return out.Status == s3types.BucketVersioningStatusEnabled, nil
}
