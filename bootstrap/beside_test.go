package bootstrap

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

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
