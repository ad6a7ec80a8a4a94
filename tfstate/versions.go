package tfstate

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Version is one version of a state object in a versioned bucket.
type Version struct {
	// ID is the S3 VersionId ("null" for an object written before
	// versioning was on).
	ID       string
	Modified time.Time
	Size     int64
	// Latest marks the current version; Deleted marks a delete marker.
	Latest  bool
	Deleted bool
}

// Versions lists the versions of the state object, newest first, delete
// markers included. A bucket that keeps no versions lists the current
// object alone.
func (c *Client) Versions(ctx context.Context, l Location) ([]Version, error) {
	var out []Version
	p := s3.NewListObjectVersionsPaginator(c.S3, &s3.ListObjectVersionsInput{Bucket: aws.String(l.Bucket), Prefix: aws.String(l.Key), ExpectedBucketOwner: owner(l)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list the versions of the state %s: %w", l, err)
		}
		for _, v := range page.Versions {
			if aws.ToString(v.Key) == l.Key {
				out = append(out, Version{ID: aws.ToString(v.VersionId), Modified: aws.ToTime(v.LastModified),
					Size: aws.ToInt64(v.Size), Latest: aws.ToBool(v.IsLatest)})
			}
		}
		for _, m := range page.DeleteMarkers {
			if aws.ToString(m.Key) == l.Key {
				out = append(out, Version{ID: aws.ToString(m.VersionId), Modified: aws.ToTime(m.LastModified), Latest: aws.ToBool(m.IsLatest), Deleted: true})
			}
		}
	}
	sortNewestFirst(out)
	return out, nil
}

func sortNewestFirst(vs []Version) {
	slices.SortStableFunc(vs, func(a, b Version) int {
		if a.Latest != b.Latest {
			if a.Latest {
				return -1
			}
			return 1
		}
		return b.Modified.Compare(a.Modified)
	})
}

// ReadVersion reads one earlier version of the state object.
func (c *Client) ReadVersion(ctx context.Context, l Location, versionID string) (Object, error) {
	out, err := c.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(l.Bucket), Key: aws.String(l.Key),
		VersionId: aws.String(versionID), ExpectedBucketOwner: owner(l)})
	if err != nil {
		return Object{}, fmt.Errorf("read version %s of the state %s: %w", versionID, l, err)
	}
	defer out.Body.Close()
	return readBody(l, out.Body, aws.ToString(out.VersionId), aws.ToString(out.ETag))
}
