package lease

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

var n atomic.Int32

func awsConfig(t *testing.T) aws.Config {
	m := testenv.SharedMoto(t)
	return aws.Config{Region: "eu-west-2", BaseEndpoint: aws.String(m.URL),
		Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", "")}
}

// stores are the two backends, each on a table or bucket of its own in moto.
var stores = map[string]func(t *testing.T) Store{
	"dynamodb": func(t *testing.T) Store {
		db := ddb.NewFromConfig(awsConfig(t))
		name := fmt.Sprintf("lease-%d", n.Add(1))
		_, err := db.CreateTable(context.Background(), &ddb.CreateTableInput{TableName: aws.String(name),
			AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("LockID"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
			KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("LockID"), KeyType: ddbtypes.KeyTypeHash}},
			BillingMode:          ddbtypes.BillingModePayPerRequest})
		if err != nil {
			t.Fatal(err)
		}
		return &DynamoDB{DB: db, Table: name, ID: "tfrebuild/p/lease"}
	},
	"s3": func(t *testing.T) Store {
		c := s3.NewFromConfig(awsConfig(t), func(o *s3.Options) { o.UsePathStyle = true })
		name := fmt.Sprintf("lease-test-%d", n.Add(1))
		_, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name),
			CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: "eu-west-2"}})
		if err != nil {
			t.Fatal(err)
		}
		return &S3{Client: c, Bucket: name, Key: "p/tfrebuild-run.lease", Account: testenv.Account}
	},
}

func holder(id string, pid int) checkpoint.Holder {
	return checkpoint.Holder{RunID: id, Host: checkpoint.Hostname(), PID: pid, User: "u", Config: "/c/" + id + ".hcl", Since: time.Now().UTC()}
}

// TestLease: the same story on both backends. One run holds the lease; a
// second is refused with the holder named; the first releases, the
// second takes it; a dead holder's lease is taken over with the next
// token; and the run it was taken from learns it at its next Verify.
func TestLease(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := open(t)
			first, prev, err := Acquire(ctx, s, holder("first", os.Getpid()), Options{})
			if err != nil || prev != nil {
				t.Fatalf("take a free lease: %v (previous %v)", err, prev)
			}
			_, _, err = Acquire(ctx, s, holder("second", os.Getpid()), Options{})
			var held *HeldError
			if !errors.As(err, &held) || held.Holder.RunID != "first" || held.Holder.Config != "/c/first.hcl" {
				t.Fatalf("a held lease: %v", err)
			}
			if err := first.Verify(ctx); err != nil {
				t.Fatalf("the holder verifies: %v", err)
			}
			if err := first.Release(ctx); err != nil {
				t.Fatal(err)
			}

			// A holder whose process is gone (this host, no such pid).
			// Its Verify reads every time (Fresh < 0): a live process
			// whose lease is taken over within Fresh of its write is one
			// only this test makes.
			dead, _, err := Acquire(ctx, s, holder("dead", 1<<22+7), Options{Fresh: -1})
			if err != nil {
				t.Fatal(err)
			}
			lost := make(chan error, 1)
			dead.OnLost(func(err error) { lost <- err })
			next, prev, err := Acquire(ctx, s, holder("next", os.Getpid()), Options{})
			if err != nil || prev == nil || prev.RunID != "dead" {
				t.Fatalf("take over a dead holder's lease: %v (previous %v)", err, prev)
			}
			if next.Holder().Token != dead.Holder().Token+1 {
				t.Errorf("token %d after %d", next.Holder().Token, dead.Holder().Token)
			}
			var lostErr *LostError
			if err := dead.Verify(ctx); !errors.As(err, &lostErr) || lostErr.By == nil || lostErr.By.RunID != "next" {
				t.Fatalf("the old holder's verify: %v", err)
			}
			if err := <-lost; !errors.As(err, &lostErr) {
				t.Errorf("OnLost got %v", err)
			}
			if err := dead.Release(ctx); err != nil {
				t.Errorf("a lost lease releases nothing: %v", err)
			}
			if err := next.Verify(ctx); err != nil {
				t.Errorf("the new holder is untouched by the old one's release: %v", err)
			}
			_ = next.Release(ctx)
		})
	}
}

// TestHeartbeatFindsTheLoss: the heartbeat that finds another record
// loses the lease by itself, before any Verify.
func TestHeartbeatFindsTheLoss(t *testing.T) {
	ctx := context.Background()
	s := stores["dynamodb"](t)
	l, _, err := Acquire(ctx, s, holder("beating", os.Getpid()), Options{TTL: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	lost := make(chan error, 1)
	l.OnLost(func(err error) { lost <- err })
	// The thief writes over the record as read; a heartbeat may land
	// between its read and its write, and then it reads again.
	testenv.Until(t, time.Minute, "the thief to replace the record", func() bool {
		_, ver, err := s.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Put(ctx, holder("thief", 1), ver)
		if err != nil && !errors.Is(err, ErrConflict) {
			t.Fatal(err)
		}
		return err == nil
	})
	var lostErr *LostError
	if err := <-lost; !errors.As(err, &lostErr) || lostErr.By == nil || lostErr.By.RunID != "thief" {
		t.Fatalf("lost: %v", err)
	}
	_ = l.Release(ctx)
}

// lostAnswer is a store whose first Put lands but answers as a conflict,
// as a write retried by the SDK after its answer was lost does.
type lostAnswer struct {
	Store
	once sync.Once
}

func (s *lostAnswer) Put(ctx context.Context, h checkpoint.Holder, version string) (string, error) {
	v, err := s.Store.Put(ctx, h, version)
	lost := false
	s.once.Do(func() { lost = err == nil })
	if lost {
		return "", fmt.Errorf("%w: the retry met the first attempt's record", ErrConflict)
	}
	return v, err
}

// A lease write that landed but whose answer was lost is this run's
// lease, not another run's: Acquire holds it, and can release it. On a
// table that does not exist, Acquire says there is nowhere to hold it.
func TestAcquireAfterALostAnswerAndWithoutATable(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := &lostAnswer{Store: open(t)}
			l, prev, err := Acquire(ctx, s, holder("mine", os.Getpid()), Options{})
			if err != nil || prev != nil {
				t.Fatalf("a lease whose write landed: %v (previous %v)", err, prev)
			}
			if err := l.Verify(ctx); err != nil {
				t.Fatal(err)
			}
			if err := l.Release(ctx); err != nil {
				t.Fatal(err)
			}
			if _, _, err := Acquire(ctx, s, holder("next", os.Getpid()), Options{}); err != nil {
				t.Fatalf("after the release: %v", err)
			}
		})
	}
	db := ddb.NewFromConfig(awsConfig(t))
	_, _, err := Acquire(context.Background(), &DynamoDB{DB: db, Table: "no-such-table", ID: "x"}, holder("m", os.Getpid()), Options{})
	if !errors.Is(err, ErrNoStore) {
		t.Errorf("a lease in a table that does not exist: %v", err)
	}
}
