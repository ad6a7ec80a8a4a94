package restore

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// entry is one version or delete marker of a key.
type entry struct {
	id     string
	at     time.Time
	latest bool
	marker bool
	etag   string
	size   int64
}

// walkVersions calls fn once per key with the key's versions and delete
// markers, newest first, paging through ListObjectVersions. A key's
// entries can span pages, so the last key of a page waits for the next.
func walkVersions(ctx context.Context, c S3API, bucket, account string, pageSize int32, fn func(key string, es []entry) error) error {
	fn = exactOnTies(ctx, c, bucket, account, fn)
	in := &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), ExpectedBucketOwner: owner(account)}
	if pageSize > 0 {
		in.MaxKeys = aws.Int32(pageSize)
	}
	var pendingKey string
	var pending []entry
	for {
		page, err := c.ListObjectVersions(ctx, in)
		if err != nil {
			return fmt.Errorf("list object versions of S3 bucket %q: %w", bucket, err)
		}
		groups := map[string][]entry{}
		for _, v := range page.Versions {
			groups[aws.ToString(v.Key)] = append(groups[aws.ToString(v.Key)], entry{id: aws.ToString(v.VersionId),
				at: aws.ToTime(v.LastModified), latest: aws.ToBool(v.IsLatest), etag: aws.ToString(v.ETag), size: aws.ToInt64(v.Size)})
		}
		for _, m := range page.DeleteMarkers {
			groups[aws.ToString(m.Key)] = append(groups[aws.ToString(m.Key)], entry{id: aws.ToString(m.VersionId),
				at: aws.ToTime(m.LastModified), latest: aws.ToBool(m.IsLatest), marker: true})
		}
		keys := make([]string, 0, len(groups))
		for k := range groups {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if k == pendingKey {
				pending = append(pending, groups[k]...)
				continue
			}
			if pending != nil {
				if err := fn(pendingKey, newestFirst(pending)); err != nil {
					return err
				}
			}
			pendingKey, pending = k, groups[k]
		}
		if !aws.ToBool(page.IsTruncated) {
			break
		}
		in.KeyMarker, in.VersionIdMarker = page.NextKeyMarker, page.NextVersionIdMarker
	}
	if pending != nil {
		return fn(pendingKey, newestFirst(pending))
	}
	return nil
}

// newestFirst orders a key's entries by time, newest first. S3 times are
// whole seconds, so ties are common: the latest entry is the newest, and a
// version ranks before a delete marker of the same second (the choice that
// keeps data, used only if S3's own order cannot be read: see
// exactOnTies). The sort is stable: versions keep S3's own order.
func newestFirst(es []entry) []entry {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		switch {
		case !a.at.Equal(b.at):
			return a.at.After(b.at)
		case a.latest != b.latest:
			return a.latest
		default:
			return !a.marker && b.marker
		}
	})
	return es
}

// stateAt is the key's entry in effect at t (nil: the key did not exist),
// and the current one.
func stateAt(es []entry, t time.Time) (then, now *entry) {
	for i := range es {
		if es[i].latest || now == nil && i == 0 {
			now = &es[i]
		}
		if then == nil && !es[i].at.After(t) {
			then = &es[i]
		}
	}
	return then, now
}

// exactOnTies wraps fn so that a key whose versions and delete markers
// share a second is listed again one entry per page: S3 lists them in their
// true order, which the SDK loses by splitting versions from markers.
func exactOnTies(ctx context.Context, c S3API, bucket, account string, fn func(string, []entry) error) func(string, []entry) error {
	return func(key string, es []entry) error {
		if !tied(es) {
			return fn(key, es)
		}
		exact, err := listKey(ctx, c, bucket, account, key)
		if err != nil {
			return err
		}
		return fn(key, exact)
	}
}

func tied(es []entry) bool {
	for i := 1; i < len(es); i++ {
		if es[i].at.Equal(es[i-1].at) && es[i].marker != es[i-1].marker {
			return true
		}
	}
	return false
}

// listKey lists one key's entries in S3's order, newest first, one per
// call.
func listKey(ctx context.Context, c S3API, bucket, account, key string) ([]entry, error) {
	in := &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), ExpectedBucketOwner: owner(account),
		Prefix: aws.String(key), MaxKeys: aws.Int32(1)}
	var es []entry
	for {
		page, err := c.ListObjectVersions(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("list versions of %q in S3 bucket %q: %w", key, bucket, err)
		}
		for _, v := range page.Versions {
			if aws.ToString(v.Key) != key {
				return es, nil // keys that only start with key come after it
			}
			es = append(es, entry{id: aws.ToString(v.VersionId), at: aws.ToTime(v.LastModified), latest: aws.ToBool(v.IsLatest),
				etag: aws.ToString(v.ETag), size: aws.ToInt64(v.Size)})
		}
		for _, m := range page.DeleteMarkers {
			if aws.ToString(m.Key) != key {
				return es, nil
			}
			es = append(es, entry{id: aws.ToString(m.VersionId), at: aws.ToTime(m.LastModified), latest: aws.ToBool(m.IsLatest), marker: true})
		}
		if !aws.ToBool(page.IsTruncated) {
			return es, nil
		}
		in.KeyMarker, in.VersionIdMarker = page.NextKeyMarker, page.NextVersionIdMarker
	}
}
