package tfstate

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Acquire takes the lock under the caller's ID; a lock request retried
// after its first attempt landed finds its own lock and goes on (the
// engine would wait its whole lock_timeout on itself); another ID's lock
// is a *HeldError naming it; the lock is released by its ID. With the
// lock table, and with the lock table and lock files together.
func TestAcquireOwnLockOnceAndOthersNever(t *testing.T) {
	t.Parallel()
	eachLockStyle(t, func(t *testing.T, b *bed) {
		ctx := context.Background()
		mine := LockInfo{ID: "run1-aaaa", Operation: "OperationTypeApply", Who: "ann@h1", Version: "1.11.4", Created: time.Now()}
		if err := b.client.Acquire(ctx, b.loc, mine, "tfrebuild run run1", 0); err != nil {
			t.Fatal(err)
		}
		// The same request once more, as a retry after a late answer.
		if err := b.client.Acquire(ctx, b.loc, mine, "tfrebuild run run1", 0); err != nil {
			t.Fatalf("a retried request of the lock's own holder: %v", err)
		}
		other := LockInfo{ID: "bob-bbbb", Operation: "OperationTypeApply", Who: "ann@h1", Created: time.Now()}
		var held *HeldError
		if err := b.client.Acquire(ctx, b.loc, other, "", 0); !errors.As(err, &held) || held.Info.ID != "run1-aaaa" {
			t.Fatalf("another ID (same user@host) while held: %v", err)
		}
		if info, err := b.client.Lock(ctx, b.loc); err != nil || info == nil || info.ID != "run1-aaaa" {
			t.Fatalf("the lock as the engine reads it: %+v %v", info, err)
		}
		if err := b.client.ForceUnlock(ctx, b.loc, "run1-aaaa"); err != nil {
			t.Fatal(err)
		}
		if err := b.client.Acquire(ctx, b.loc, other, "", 0); err != nil {
			t.Fatalf("a released lock is free: %v", err)
		}
	})
}

// eachLockStyle runs f on a bed of its own that locks with the lock table,
// and on one that locks with the table and lock files together.
func eachLockStyle(t *testing.T, f func(t *testing.T, b *bed)) {
	for _, lockfile := range []bool{false, true} {
		name := map[bool]string{false: "table", true: "table and file"}[lockfile]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := newBed(t, "", "", true)
			b.loc.UseLockfile = lockfile
			f(t, b)
		})
	}
}

// Release frees the lock Acquire took (one conditional delete of the
// record written), and never a lock someone else holds since: that one
// stays, and the error wraps ErrNotHeld.
func TestReleaseFreesOwnLockOnly(t *testing.T) {
	t.Parallel()
	eachLockStyle(t, func(t *testing.T, b *bed) {
		ctx := context.Background()
		mine := LockInfo{ID: "run1-aaaa", Operation: "OperationTypeApply", Who: "ann@h1", Version: "1.11.4", Created: time.Now()}
		if err := b.client.Acquire(ctx, b.loc, mine, "tfrebuild run run1", 0); err != nil {
			t.Fatal(err)
		}
		if err := b.client.Release(ctx, b.loc, mine, "tfrebuild run run1"); err != nil {
			t.Fatal(err)
		}
		if info, err := b.client.Lock(ctx, b.loc); err != nil || info != nil {
			t.Fatalf("after the release the state is locked: %+v %v", info, err)
		}
		other := LockInfo{ID: "bob-bbbb", Operation: "OperationTypeApply", Who: "bob@h2", Created: time.Now()}
		if err := b.client.Acquire(ctx, b.loc, other, "", 0); err != nil {
			t.Fatal(err)
		}
		if err := b.client.Release(ctx, b.loc, mine, "tfrebuild run run1"); !errors.Is(err, ErrNotHeld) {
			t.Fatalf("releasing a lock someone else took since: %v", err)
		}
		if info, err := b.client.Lock(ctx, b.loc); err != nil || info == nil || info.ID != "bob-bbbb" {
			t.Fatalf("the other's lock after our release: %+v %v", info, err)
		}
	})
}

// A lock written by LockPut in a transaction of the caller's is the lock
// Acquire would take: the engine reads it, its holder's Acquire finds it
// its own, and Release frees it. With lock files, there is no such write.
func TestALockPutInATransactionIsAcquiresOwn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := newBed(t, "", "", true)
	mine := LockInfo{ID: "run1-cccc", Operation: "OperationTypeApply", Who: "ann@h1", Version: "1.11.4", Created: time.Now()}
	put, ok, err := LockPut(b.loc, mine, "tfrebuild run run1")
	if err != nil || !ok {
		t.Fatalf("a table lock: %v %v", ok, err)
	}
	if _, err := b.client.DDB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []ddbtypes.TransactWriteItem{put}}); err != nil {
		t.Fatal(err)
	}
	if info, err := b.client.Lock(ctx, b.loc); err != nil || info == nil || info.ID != mine.ID || info.Who != "ann@h1" {
		t.Fatalf("the lock as the engine reads it: %+v %v", info, err)
	}
	if err := b.client.Acquire(ctx, b.loc, mine, "tfrebuild run run1", 0); err != nil {
		t.Fatalf("its holder's Acquire: %v", err)
	}
	if err := b.client.Release(ctx, b.loc, mine, "tfrebuild run run1"); err != nil {
		t.Fatal(err)
	}
	if info, err := b.client.Lock(ctx, b.loc); err != nil || info != nil {
		t.Fatalf("after the release: %+v %v", info, err)
	}
	withFiles := b.loc
	withFiles.UseLockfile = true
	if _, ok, _ := LockPut(withFiles, mine, ""); ok {
		t.Error("a lock with lock files too was put in the table alone")
	}
}
