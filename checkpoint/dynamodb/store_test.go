package dynamodb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/checkpoint/storetest"
	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

var tableN atomic.Int32

// table creates a lock table of the test's own in moto.
func table(t *testing.T) (*ddb.Client, string) {
	t.Helper()
	m := testenv.SharedMoto(t)
	db := ddb.NewFromConfig(aws.Config{Region: "eu-west-2", BaseEndpoint: aws.String(m.URL),
		Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", "")})
	name := fmt.Sprintf("locks-%d", tableN.Add(1))
	_, err := db.CreateTable(context.Background(), &ddb.CreateTableInput{TableName: aws.String(name),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("LockID"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("LockID"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest})
	// The name is this process's own: "in use" is the SDK's retry of a
	// create whose first answer was lost on a loaded machine.
	var inUse *ddbtypes.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		t.Fatal(err)
	}
	return db, name
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) checkpoint.Store {
		db, name := table(t)
		return &Store{DB: db, Table: name, Key: "p/123456789012/eu-west-2"}
	})
}

func TestConcurrentWritersConflict(t *testing.T) {
	ctx := context.Background()
	db, name := table(t)
	a := &Store{DB: db, Table: name, Key: "k"}
	b := &Store{DB: db, Table: name, Key: "k"}
	if err := a.Save(ctx, &checkpoint.Checkpoint{RunID: "a"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.Save(ctx, &checkpoint.Checkpoint{RunID: "a2"}); err != nil {
		t.Fatal(err)
	}
	if err := b.Save(ctx, &checkpoint.Checkpoint{RunID: "b"}); !errors.Is(err, ErrConflict) {
		t.Fatalf("a stale writer must be refused: %v", err)
	}
	c, _ := a.Load(ctx)
	if c.RunID != "a2" {
		t.Errorf("the checkpoint was overwritten: %s", c.RunID)
	}
}

func TestExpiredHeartbeatIsTakenOver(t *testing.T) {
	ctx := context.Background()
	db, name := table(t)
	old := &Store{DB: db, Table: name, Key: "k", Heartbeat: time.Hour}
	if _, _, err := old.Lock(ctx, checkpoint.Holder{RunID: "elsewhere", Host: "other-host", PID: 42}); err != nil {
		t.Fatal(err)
	}
	later := &Store{DB: db, Table: name, Key: "k", Now: func() time.Time { return time.Now().Add(2 * HeartbeatTTL) }}
	l, prev, err := later.Lock(ctx, checkpoint.Holder{RunID: "new", Host: checkpoint.Hostname(), PID: os.Getpid()})
	if err != nil || prev == nil || prev.RunID != "elsewhere" {
		t.Fatalf("takeover of an expired lock: prev %v err %v", prev, err)
	}
	_ = l.Release(ctx)
	// A dead pid on this host is provably gone, heartbeat or not.
	dead := &Store{DB: db, Table: name, Key: "k2", Heartbeat: time.Hour}
	if _, _, err := dead.Lock(ctx, checkpoint.Holder{RunID: "crashed", Host: checkpoint.Hostname(), PID: 999999}); err != nil {
		t.Fatal(err)
	}
	_, prev, err = (&Store{DB: db, Table: name, Key: "k2"}).Lock(ctx, checkpoint.Holder{RunID: "new", Host: checkpoint.Hostname(), PID: os.Getpid()})
	if err != nil || prev == nil || prev.RunID != "crashed" {
		t.Fatalf("takeover of a dead local pid: prev %v err %v", prev, err)
	}
}

// The checkpoint key is stored once: a second machine offering its own
// gets the first one's.
func TestHashKeyIsTheFirstWritersForEveryone(t *testing.T) {
	ctx := context.Background()
	db, name := table(t)
	first := []byte("0123456789abcdef0123456789abcdef")
	a := &Store{DB: db, Table: name, Key: "p/123456789012/eu-west-2"}
	b := &Store{DB: db, Table: name, Key: "p/123456789012/eu-west-2"}
	got, err := a.HashKey(ctx, first)
	if err != nil || string(got) != string(first) {
		t.Fatalf("first key: %q, %v", got, err)
	}
	got, err = b.HashKey(ctx, []byte("another machine's key, 32 bytes!"))
	if err != nil || string(got) != string(first) {
		t.Fatalf("the second machine got %q, %v; want the first machine's key", got, err)
	}
}
