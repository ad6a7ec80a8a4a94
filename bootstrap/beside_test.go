package bootstrap

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

// The lock table starts beside the bucket once the bucket is proved the
// account's (or absent), before the bucket's create: both exist after,
// and the step ran once.
func TestLockTableStartsBesideAProvedBucket(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := session(t, nil)
	st := stateFor("beside")
	var table Beside
	calls := 0
	opts := Options{Project: "beside", Target: "t/beside"}
	o := opts
	opts.Proved = table.Start(func() (*Report, error) {
		calls++
		return s.EnsureLockTable(ctx, st.LockTable, o)
	})
	if _, err := s.EnsureBucket(ctx, testenv.Account, st, opts); err != nil {
		t.Fatal(err)
	}
	rep, started, err := table.Wait()
	if !started || err != nil || calls != 1 || len(rep.Changes) == 0 || rep.Changes[0].Action != Create {
		t.Fatalf("the lock table beside the bucket: started %v, %d calls, %v, %v", started, calls, rep, err)
	}
	if _, err := s.DDB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(st.LockTable)}); err != nil {
		t.Errorf("the lock table does not exist: %v", err)
	}
}

// A foreign bucket proves nothing: the lock table never starts, so
// nothing at all is written.
func TestAForeignBucketStartsNothingBeside(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	name := "beside-taken-by-another-account"
	if _, err := otherAccount(t).S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: region}}); err != nil {
		t.Fatal(err)
	}
	s := session(t, nil)
	var table Beside
	opts := Options{Project: "x", Target: "t/x"}
	opts.Proved = table.Start(func() (*Report, error) { return s.EnsureLockTable(ctx, "beside-foreign-lock", Options{}) })
	_, err := s.EnsureBucket(ctx, testenv.Account, config.State{Bucket: name, LockTable: "beside-foreign-lock"}, opts)
	var fe *ForeignBucketError
	if !errors.As(err, &fe) {
		t.Fatalf("want a foreign-bucket error, got %v", err)
	}
	if _, started, _ := table.Wait(); started {
		t.Error("the lock table started beside a foreign bucket")
	}
	if _, err := s.DDB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("beside-foreign-lock")}); err == nil {
		t.Error("a lock table was created beside a foreign bucket")
	}
}

// The run lease and the state stage both need the state bucket proved the
// account's: the session proves it once, and asks again after it deleted
// the bucket.
func TestTheStateBucketIsProvedOncePerSession(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := session(t, nil)
	st := stateFor("provedonce")
	st.LockTable = ""
	if _, err := s.EnsureBucket(ctx, testenv.Account, st, Options{Project: "provedonce", Target: "t/p"}); err != nil {
		t.Fatal(err)
	}
	var lists atomic.Int32
	s.S3 = s3.NewFromConfig(s.Config, func(o *s3.Options) {
		o.UsePathStyle = true
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("count-lists",
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					if _, ok := in.Parameters.(*s3.ListBucketsInput); ok {
						lists.Add(1)
					}
					return next.HandleInitialize(ctx, in)
				}), middleware.After)
		})
	})
	if ok, err := s.OwnState(ctx, testenv.Account, st); !ok || err != nil {
		t.Fatalf("own state: %v %v", ok, err)
	}
	if n := lists.Load(); n != 0 {
		t.Errorf("the proved bucket was listed again %d times", n)
	}
	if _, err := s.DeleteState(ctx, testenv.Account, st, Options{Project: "provedonce", Target: "t/p"}); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.OwnState(ctx, testenv.Account, st); ok || err != nil || lists.Load() == 0 {
		t.Errorf("after the delete: exists %v, %v, listed %d times", ok, err, lists.Load())
	}
}
