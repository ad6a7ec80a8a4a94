package restore

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Presence reads whether the table exists; an earlier restore's table
// that is still there keeps its data.
func (t *Tables) Presence(ctx context.Context, table string) (Presence, error) {
	d, err := t.describe(ctx, table)
	if err != nil {
		return TargetPresent, err
	}
	if d == nil || d.TableStatus == ddbtypes.TableStatusDeleting {
		return TargetMissing, nil
	}
	return TargetPresent, nil
}

// Presence reads whether the bucket exists (owned by account, when set)
// and holds any object version or delete marker.
func (b *Buckets) Presence(ctx context.Context, bucket, account string) (Presence, error) {
	var missing *MissingBucketError
	if err := b.exists(ctx, bucket, account); errors.As(err, &missing) {
		return TargetMissing, nil
	} else if err != nil {
		return TargetPresent, err
	}
	out, err := b.Target.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), MaxKeys: aws.Int32(1),
		ExpectedBucketOwner: owner(account)})
	if err != nil {
		return TargetPresent, fmt.Errorf("list the objects of S3 bucket %q in %s: %w", bucket, b.Region, err)
	}
	if len(out.Versions) == 0 && len(out.DeleteMarkers) == 0 {
		return TargetEmpty, nil
	}
	return TargetPresent, nil
}
