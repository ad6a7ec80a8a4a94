package readiness

import (
	"context"
	"errors"
	"fmt"

	"github.com/tfrebuild/tfrebuild/bootstrap"
)

// BucketFinder is the state bucket's owner check (*bootstrap.Session):
// ours (true), free (false), or another account's
// (*bootstrap.ForeignBucketError).
type BucketFinder interface {
	FindBucket(ctx context.Context, account, bucket string) (bool, error)
}

// CheckBucketName checks that an S3 bucket name is free or already ours
// in the account, never another account's: the state bucket, or a bucket
// a stack's plan would create. where names the config place to change.
func CheckBucketName(ctx context.Context, f BucketFinder, name string, a bootstrap.Account, bucket, where string) Check {
	c := Check{Name: name}
	ours, err := f.FindBucket(ctx, a.ID, bucket)
	var foreign *bootstrap.ForeignBucketError
	switch {
	case errors.As(err, &foreign):
		c.Verdict = Fail
		c.Found = fmt.Sprintf("bucket name %q is held by another AWS account, not %s: the rebuild cannot create it", bucket, a.ID)
		c.Do = fmt.Sprintf("choose another name in %s, for example %q", where, bootstrap.SuggestBucketName(bucket, a.ID, a.Region))
	case err != nil:
		c.Verdict, c.Found = Fail, fmt.Sprintf("could not tell who holds bucket name %q: %v", bucket, err)
		c.Do = fmt.Sprintf("aws s3api head-bucket --bucket %s --expected-bucket-owner %s --region %s", bucket, a.ID, a.Region)
	case ours:
		c.Verdict, c.Found = OK, fmt.Sprintf("bucket %q exists and belongs to account %s", bucket, a.ID)
	default:
		c.Verdict, c.Found = OK, fmt.Sprintf("bucket name %q is free: the rebuild creates it in %s", bucket, a.Region)
	}
	return c
}
