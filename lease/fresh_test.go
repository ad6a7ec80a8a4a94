package lease

import (
	"context"
	"errors"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

// countReads is a store that counts its reads.
type countReads struct {
	Store
	reads atomic.Int32
}

func (s *countReads) Read(ctx context.Context) (*checkpoint.Holder, string, error) {
	s.reads.Add(1)
	return s.Store.Read(ctx)
}

// clockedLease is a lease taken on a fake clock in a store that counts
// its reads; it is released when the test ends.
func clockedLease(t *testing.T, id string) (*countReads, *testenv.Clock, *Lease) {
	t.Helper()
	s := &countReads{Store: stores["dynamodb"](t)}
	clock := testenv.NewClock(time.Now())
	l, _, err := Acquire(context.Background(), s, holder(id, os.Getpid()), Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Release(context.Background()) })
	return s, clock, l
}

// A lease written less than Fresh ago is proved without a read: nobody
// can take it over from a live holder so soon. Once Fresh has passed,
// Verify reads again and finds a record replaced by hand; a clock set
// back counts as not fresh.
func TestAFreshLeaseIsProvedWithoutARead(t *testing.T) {
	ctx := context.Background()
	s, clock, l := clockedLease(t, "fresh")
	_, ver, err := s.Store.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Store.Put(ctx, holder("by-hand", 1), ver); err != nil {
		t.Fatal(err)
	}
	clock.Add(Fresh - time.Second)
	if err := l.Verify(ctx); err != nil || s.reads.Load() != 0 {
		t.Fatalf("within Fresh of the write: %v, %d reads; want no read", err, s.reads.Load())
	}
	clock.Add(-2 * Fresh) // set back: proves nothing
	var lost *LostError
	if err := l.Verify(ctx); !errors.As(err, &lost) || s.reads.Load() != 1 {
		t.Fatalf("with the clock set back: %v, %d reads; want the replaced record found", err, s.reads.Load())
	}
}

// A read that proved the lease makes it fresh again: a write right after
// a proof needs none of its own.
func TestAProofMakesTheLeaseFresh(t *testing.T) {
	ctx := context.Background()
	s, clock, l := clockedLease(t, "proved")
	clock.Add(Fresh)
	for range 2 {
		if err := l.Verify(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.reads.Load(); n != 1 {
		t.Errorf("two proofs in a row read %d times, want 1", n)
	}
}

// lockItem is a Terraform-like lock item put only where there is none.
func lockItem(table, id string) ddbtypes.TransactWriteItem {
	return ddbtypes.TransactWriteItem{Put: &ddbtypes.Put{TableName: aws.String(table),
		Item: map[string]ddbtypes.AttributeValue{
			"LockID": &ddbtypes.AttributeValueMemberS{Value: id},
			"Info":   &ddbtypes.AttributeValueMemberS{Value: "mine"}},
		ConditionExpression: aws.String("attribute_not_exists(LockID)")}}
}

// A free lease is written in one transaction with the items beside it; a
// beside item in place leaves the lease written alone and the item as it
// was; a lease held by another writes neither.
func TestALeaseWrittenWithItemsBeside(t *testing.T) {
	ctx := context.Background()
	s := stores["dynamodb"](t).(*DynamoDB)
	held := func(id string) string {
		out, err := s.DB.GetItem(ctx, getItem(s, id))
		if err != nil {
			t.Fatal(err)
		}
		if v, ok := out.Item["Info"].(*ddbtypes.AttributeValueMemberS); ok {
			return v.Value
		}
		return ""
	}
	l, _, err := Acquire(ctx, s, holder("both", os.Getpid()), Options{Beside: []ddbtypes.TransactWriteItem{lockItem(s.Table, "state/a")}})
	if err != nil || !l.BesideTaken() || held("state/a") != "mine" {
		t.Fatalf("a free lease and a free lock: %v, taken %v, lock %q", err, l != nil && l.BesideTaken(), held("state/a"))
	}
	if err := l.Verify(ctx); err != nil {
		t.Fatal(err)
	}
	_, _, err = Acquire(ctx, s, holder("other", os.Getpid()), Options{Beside: []ddbtypes.TransactWriteItem{lockItem(s.Table, "state/b")}})
	var heldErr *HeldError
	if !errors.As(err, &heldErr) || held("state/b") != "" {
		t.Fatalf("a held lease: %v; lock b %q, want none written", err, held("state/b"))
	}
	if err := l.Release(ctx); err != nil {
		t.Fatal(err)
	}
	alone, _, err := Acquire(ctx, s, holder("alone", os.Getpid()), Options{Beside: []ddbtypes.TransactWriteItem{lockItem(s.Table, "state/a")}})
	if err != nil || alone.BesideTaken() || alone.BesideTried() {
		t.Fatalf("a free lease beside a held lock: %v, taken %v, maybe written %v; want neither (the transaction wrote nothing)",
			err, alone != nil && alone.BesideTaken(), alone != nil && alone.BesideTried())
	}
	if err := alone.Verify(ctx); err != nil {
		t.Errorf("the lease written alone: %v", err)
	}
	_ = alone.Release(ctx)
}

// getItem is the consistent read of the item id in the lease's table.
func getItem(d *DynamoDB, id string) *ddb.GetItemInput {
	return &ddb.GetItemInput{TableName: aws.String(d.Table), ConsistentRead: aws.Bool(true),
		Key: map[string]ddbtypes.AttributeValue{"LockID": &ddbtypes.AttributeValueMemberS{Value: id}}}
}

// A read that finds the record this run's proves only that moment when
// the record's heartbeat is nearly a TTL old (its refreshes failing):
// another run may take it over a moment later, so the next proof reads
// again.
func TestAProofOfANearlyStaleRecordIsNotFresh(t *testing.T) {
	ctx := context.Background()
	s, clock, l := clockedLease(t, "stale")
	clock.Add(TTL - Fresh) // no heartbeat written since the lease was taken
	for range 2 {
		if err := l.Verify(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.reads.Load(); n != 2 {
		t.Errorf("two proofs of a nearly stale record read %d times, want 2", n)
	}
}
