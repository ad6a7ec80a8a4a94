package tfstate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tfrebuild/tfrebuild/internal/awserr"
)

// HeldError is a state lock held under another ID than the caller's.
type HeldError struct {
	Location Location
	Info     LockInfo
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("the state %s is locked, %s", e.Location.Key, e.Info)
}

// lockRecord is Terraform's lock info as Terraform and OpenTofu serialise
// it (field order included: OpenTofu releases a lock only when the stored
// text is the one it would write), so that either engine, and a person
// running force-unlock, treats a lock taken here as its own kind.
type lockRecord struct {
	ID        string    `json:"ID"`
	Operation string    `json:"Operation"`
	Info      string    `json:"Info"`
	Who       string    `json:"Who"`
	Version   string    `json:"Version"`
	Created   time.Time `json:"Created"`
	Path      string    `json:"Path"`
}

// Acquire takes the lock the engine would take on the state (the
// lock-table item and, with use_lockfile, the .tflock object), under the
// caller's info and ID, so that the caller knows the ID of its own lock:
// it runs the engine with -lock=false under it, and releases it with
// ForceUnlock by that ID. A lock request answered late and retried finds
// the lock it took itself (its ID) and succeeds, where the engine would
// wait on its own lock. A lock held under another ID is waited for up to
// wait, then returned as a *HeldError.
func (c *Client) Acquire(ctx context.Context, l Location, info LockInfo, note string, wait time.Duration) error {
	raw, err := lockText(l, info, note)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(wait)
	for {
		err := c.tryAcquire(ctx, l, info.ID, raw)
		var held *HeldError
		if !errors.As(err, &held) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Second):
		}
	}
}

// lockText is the lock record Acquire writes for info and note.
func lockText(l Location, info LockInfo, note string) (string, error) {
	rec := lockRecord{ID: info.ID, Operation: info.Operation, Info: note, Who: info.Who, Version: info.Version,
		Created: info.Created.UTC(), Path: l.Bucket + "/" + l.Key}
	raw, err := json.Marshal(rec)
	return string(raw), err
}

// Release releases a lock the caller took with Acquire(l, info, note):
// the lock-table item goes in one conditional delete on the very record
// written (no read first), and the lock file as ForceUnlock releases it.
// A lock that is not that record any more is left to ForceUnlock's rules
// (released by its ID, or an error wrapping ErrNotHeld).
func (c *Client) Release(ctx context.Context, l Location, info LockInfo, note string) error {
	raw, err := lockText(l, info, note)
	if err != nil || l.LockTable == "" || l.UseLockfile {
		return c.ForceUnlock(ctx, l, info.ID)
	}
	if err := c.deleteTableLock(ctx, l, raw); err != nil {
		return c.ForceUnlock(ctx, l, info.ID)
	}
	return nil
}

// tryAcquire takes the table's lock, then the lock file's; a lock file
// held by another leaves the table's lock released again.
func (c *Client) tryAcquire(ctx context.Context, l Location, id, raw string) error {
	if l.LockTable != "" {
		if err := c.acquireItem(ctx, l, id, raw); err != nil {
			return err
		}
	}
	if !l.UseLockfile {
		return nil
	}
	err := c.acquireFile(ctx, l, id, raw)
	if err != nil && l.LockTable != "" {
		_ = c.deleteTableLock(context.WithoutCancel(ctx), l, raw)
	}
	return err
}

// LockPut is the lock-table write that takes l's lock for info and note
// as Acquire does, for a caller that makes it part of a transaction of
// its own (the run lease's); Release releases it. ok is false when l
// does not lock in a table alone (no table, or lock files too).
func LockPut(l Location, info LockInfo, note string) (put ddbtypes.TransactWriteItem, ok bool, err error) {
	if l.LockTable == "" || l.UseLockfile {
		return put, false, nil
	}
	raw, err := lockText(l, info, note)
	if err != nil {
		return put, false, err
	}
	return ddbtypes.TransactWriteItem{Put: lockPut(l, raw)}, true, nil
}

// lockPut writes the lock item with raw as its Info, where there is none.
func lockPut(l Location, raw string) *ddbtypes.Put {
	item := l.lockItem()
	item["Info"] = &ddbtypes.AttributeValueMemberS{Value: raw}
	return &ddbtypes.Put{TableName: aws.String(l.LockTable), Item: item, ConditionExpression: aws.String("attribute_not_exists(LockID)")}
}

func (c *Client) acquireItem(ctx context.Context, l Location, id, raw string) error {
	p := lockPut(l, raw)
	_, err := c.DDB.PutItem(ctx, &dynamodb.PutItemInput{TableName: p.TableName, Item: p.Item, ConditionExpression: p.ConditionExpression})
	if err == nil {
		return nil
	}
	if !awserr.Is(err, "ConditionalCheckFailedException") {
		return fmt.Errorf("lock the state %s in dynamodb:%s: %w", l, l.LockTable, err)
	}
	held, rerr := c.tableLock(ctx, l)
	return c.ownOrHeld(l, id, held, rerr)
}

func (c *Client) acquireFile(ctx context.Context, l Location, id, raw string) error {
	_, err := c.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(l.Bucket), Key: aws.String(l.LockKey()),
		Body: bytes.NewReader([]byte(raw)), IfNoneMatch: aws.String("*"), ExpectedBucketOwner: owner(l)})
	if err == nil {
		return nil
	}
	if !awserr.Is(err, "PreconditionFailed", "ConditionalRequestConflict") {
		return fmt.Errorf("lock the state %s with s3://%s/%s: %w", l, l.Bucket, l.LockKey(), err)
	}
	held, rerr := c.fileLock(ctx, l)
	return c.ownOrHeld(l, id, held, rerr)
}

// ownOrHeld decides about a lock found in place: this caller's own (a
// retried request whose first attempt landed) or another's.
func (c *Client) ownOrHeld(l Location, id, raw string, err error) error {
	if err != nil {
		return err
	}
	info, err := parseLock(l, raw)
	if err != nil {
		return err
	}
	if info == nil {
		// Released between the write and the read: try again.
		return &HeldError{Location: l, Info: LockInfo{ID: "(released meanwhile)"}}
	}
	if info.ID == id {
		return nil
	}
	return &HeldError{Location: l, Info: *info}
}
