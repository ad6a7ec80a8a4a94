package bootstrap

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

// TestABucketMadeByAConcurrentBootstrapIsOurs: two first bootstraps of
// one target at once. The other run creates the state bucket just after
// this one listed the account's buckets (it was not there) and before it
// checks the name: the bucket is the account's, not a foreign one.
func TestABucketMadeByAConcurrentBootstrapIsOurs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := stateFor("concurrent")
	other := session(t, nil) // the other run: same account
	var listed atomic.Bool
	s := session(t, nil)
	s.S3 = s3.NewFromConfig(s.Config, func(o *s3.Options) {
		o.UsePathStyle = true
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("concurrent-create",
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					out, md, err := next.HandleInitialize(ctx, in)
					if _, ok := in.Parameters.(*s3.ListBucketsInput); ok && listed.CompareAndSwap(false, true) {
						if _, cerr := other.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(st.Bucket),
							CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: region}}); cerr != nil {
							t.Errorf("the other run's create: %v", cerr)
						}
					}
					return out, md, err
				}), middleware.After)
		})
	})
	if _, err := s.EnsureBucket(ctx, testenv.Account, st, Options{Project: "concurrent"}); err != nil {
		t.Fatalf("a bucket the other run of this target made between the list and the check: %v", err)
	}
	if !listed.Load() {
		t.Fatal("the bucket list was never read: the race was not staged")
	}
}

// The account's buckets listed ahead (while the identity is checked) do
// not decide against a bucket made since: one not in that list is listed
// again, so a bucket the other run of this target made in between is
// ours, not a foreign one.
func TestABucketMadeAfterTheListAheadIsOurs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := stateFor("after-list")
	s, other := session(t, nil), session(t, nil)
	s.ListAhead(ctx)
	if s.listedAhead(ctx, st.Bucket) {
		t.Fatal("the list ahead has a bucket nobody made yet")
	}
	if _, err := other.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(st.Bucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: region}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EnsureBucket(ctx, testenv.Account, st, Options{Project: "after-list"}); err != nil {
		t.Fatalf("a bucket made after the list ahead: %v", err)
	}
}
