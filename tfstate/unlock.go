package tfstate

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tfrebuild/tfrebuild/internal/awserr"
)

// ErrNotHeld is returned by ForceUnlock when no lock with the given ID is
// on the state (released since, or taken again by someone else).
var ErrNotHeld = errors.New("no lock with that ID is held on the state")

// ForceUnlock releases the lock with ID id on the state, as `terraform
// force-unlock` does, with the state account's own credentials: the
// lock-table item and, with use_lockfile, the .tflock object, each only
// while it still holds that ID. Callers must have proved that the lock's
// holder is gone. A lock held under another ID is left alone and the
// error wraps ErrNotHeld.
func (c *Client) ForceUnlock(ctx context.Context, l Location, id string) error {
	released := false
	raw, err := c.tableLock(ctx, l)
	if err != nil {
		return err
	}
	if info, err := parseLock(l, raw); err != nil {
		return err
	} else if info != nil && info.ID == id {
		if err := c.deleteTableLock(ctx, l, raw); err != nil {
			return err
		}
		released = true
	}
	if l.UseLockfile {
		ok, err := c.deleteFileLock(ctx, l, id)
		if err != nil {
			return err
		}
		released = released || ok
	}
	if !released {
		return fmt.Errorf("release the lock %s on the state %s: %w", id, l, ErrNotHeld)
	}
	return nil
}

// deleteTableLock deletes the lock item only while its Info is still raw:
// a lock taken again in the meantime stays.
func (c *Client) deleteTableLock(ctx context.Context, l Location, raw string) error {
	_, err := c.DDB.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(l.LockTable), Key: l.lockItem(),
		ConditionExpression:       aws.String("Info = :info"),
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":info": &ddbtypes.AttributeValueMemberS{Value: raw}},
	})
	if awserr.Is(err, "ConditionalCheckFailedException") {
		return fmt.Errorf("release the lock on the state %s in dynamodb:%s: it changed while being released: %w", l, l.LockTable, ErrNotHeld)
	}
	if err != nil {
		return fmt.Errorf("release the lock on the state %s in dynamodb:%s: %w", l, l.LockTable, err)
	}
	return nil
}

// deleteFileLock deletes the .tflock object when it holds the lock id.
func (c *Client) deleteFileLock(ctx context.Context, l Location, id string) (bool, error) {
	raw, err := c.fileLock(ctx, l)
	if err != nil {
		return false, err
	}
	info, err := parseLock(l, raw)
	if err != nil || info == nil || info.ID != id {
		return false, err
	}
	_, err = c.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(l.Bucket), Key: aws.String(l.LockKey()), ExpectedBucketOwner: owner(l)})
	if err != nil {
		return false, fmt.Errorf("release the lock file s3://%s/%s: %w", l.Bucket, l.LockKey(), err)
	}
	return true, nil
}
