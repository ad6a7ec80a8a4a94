package tfstate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// The lock-table item Terraform writes is read with its holder and ID;
// force-unlock releases it only under its own ID.
func TestLockTableReadAndForceUnlock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := newBed(t, "", "", true)
	if info, err := b.client.Lock(ctx, b.loc); err != nil || info != nil {
		t.Fatalf("an unlocked state: %+v %v", info, err)
	}
	b.lockItem(fmt.Sprintf(lockJSON, "lock-1"))
	info, err := b.client.Lock(ctx, b.loc)
	if err != nil || info == nil || info.ID != "lock-1" || info.Who != "ann@h1" || !info.Created.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Fatalf("lock: %+v %v", info, err)
	}
	if s := info.String(); !contains(s, "held by ann@h1") || !contains(s, "lock ID lock-1") {
		t.Errorf("lock text: %s", s)
	}
	if err := b.client.ForceUnlock(ctx, b.loc, "lock-2"); !errors.Is(err, ErrNotHeld) {
		t.Fatalf("unlock under another ID: %v", err)
	}
	if info, _ := b.client.Lock(ctx, b.loc); info == nil {
		t.Fatal("a lock under another ID was released")
	}
	if err := b.client.ForceUnlock(ctx, b.loc, "lock-1"); err != nil {
		t.Fatal(err)
	}
	if info, err := b.client.Lock(ctx, b.loc); err != nil || info != nil {
		t.Errorf("after force-unlock: %+v %v", info, err)
	}
	if err := b.client.ForceUnlock(ctx, b.loc, "lock-1"); !errors.Is(err, ErrNotHeld) {
		t.Errorf("a second force-unlock: %v", err)
	}
}

// With use_lockfile the lock is the object key.tflock; force-unlock
// deletes it, under its ID only.
func TestLockFileReadAndForceUnlock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := newBed(t, "", "", true)
	l := b.loc
	l.LockTable, l.UseLockfile = "", true
	if info, err := b.client.Lock(ctx, l); err != nil || info != nil {
		t.Fatalf("an unlocked state: %+v %v", info, err)
	}
	b.put(l.LockKey(), fmt.Sprintf(lockJSON, "file-1"))
	info, err := b.client.Lock(ctx, l)
	if err != nil || info == nil || info.ID != "file-1" {
		t.Fatalf("lock file: %+v %v", info, err)
	}
	if err := b.client.ForceUnlock(ctx, l, "other"); !errors.Is(err, ErrNotHeld) {
		t.Fatalf("unlock under another ID: %v", err)
	}
	if err := b.client.ForceUnlock(ctx, l, "file-1"); err != nil {
		t.Fatal(err)
	}
	if ok, err := b.client.Exists(ctx, Location{Bucket: l.Bucket, Key: l.LockKey()}); err != nil || ok {
		t.Errorf("the lock file is still there: %v %v", ok, err)
	}
}

// A lock record that is not Terraform's JSON is an error naming the state.
func TestLockUnreadable(t *testing.T) {
	t.Parallel()
	b := newBed(t, "", "", false)
	b.lockItem("not json")
	if _, err := b.client.Lock(context.Background(), b.loc); err == nil || !contains(err.Error(), "parse the state lock of p/app/terraform.tfstate") {
		t.Errorf("unreadable lock: %v", err)
	}
	if err := b.client.ForceUnlock(context.Background(), b.loc, "x"); err == nil {
		t.Error("force-unlock of an unreadable lock succeeded")
	}
	l := b.loc
	l.LockTable = l.LockTable + "-gone"
	if _, err := b.client.Lock(context.Background(), l); err == nil || !contains(err.Error(), "dynamodb:"+l.LockTable) {
		t.Errorf("a missing lock table: %v", err)
	}
}
