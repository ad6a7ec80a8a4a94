package bootstrap

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// bucketList is the account's bucket names, listed ahead (ListAhead)
// while the caller's identity is being checked: the proof that a bucket
// is the account's answers from it when the bucket is in it. A bucket not
// in it is listed again, since it may have been created since; nothing
// is written on the strength of the list before the identity is proved.
type bucketList struct {
	once  sync.Once
	done  chan struct{}
	names map[string]bool
	err   error
}

// ListAhead starts listing the account's buckets, once per session.
func (s *Session) ListAhead(ctx context.Context) {
	if s.listed == nil {
		return
	}
	s.listed.once.Do(func() {
		s.listed.done = make(chan struct{})
		go func() {
			defer close(s.listed.done)
			s.listed.names, s.listed.err = s.bucketNames(ctx)
		}()
	})
}

// listedAhead reports whether the list made ahead has the bucket; false
// when there is no such list, it failed, or ctx ended first.
func (s *Session) listedAhead(ctx context.Context, bucket string) bool {
	l := s.listed
	if l == nil {
		return false
	}
	l.once.Do(func() {}) // a list not started by now never is
	if l.done == nil {
		return false
	}
	select {
	case <-l.done:
		return l.err == nil && l.names[bucket]
	case <-ctx.Done():
		return false
	}
}

// bucketNames lists the account's buckets.
func (s *Session) bucketNames(ctx context.Context) (map[string]bool, error) {
	names := map[string]bool{}
	p := s3.NewListBucketsPaginator(s.S3, &s3.ListBucketsInput{MaxBuckets: aws.Int32(1000)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list the account's buckets: %w", err)
		}
		for _, b := range page.Buckets {
			names[aws.ToString(b.Name)] = true
		}
	}
	return names, nil
}
