package rebuild

import (
	"context"
	"encoding/json"
	"errors"
	"slices"

	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/lease"
)

// besideLease is the fake's run lease as DynamoDB keeps it: state locks
// may be written in one transaction with it.
type besideLease struct {
	*memLease
	cloud *fakeCloud
}

var _ lease.BesideStore = (*besideLease)(nil)

// PutBeside writes nothing when the lease is held; the lease alone when
// a foreign lock is in place; else the lease and every lock.
func (b *besideLease) PutBeside(ctx context.Context, h checkpoint.Holder, items []lease.Item) (_ string, _ bool, err error) {
	f := b.cloud
	f.mu.Lock()
	inPlace := f.lock != nil && !slices.Contains(f.unlocked, f.lock.ID)
	f.mu.Unlock()
	v, err := b.Put(ctx, h, "")
	if err != nil || inPlace {
		return v, false, err
	}
	if f.lostAnswer {
		defer func() { err = lease.ErrConflict }() // landed, answer lost
	}
	if f.leaseTimesOut {
		defer func() { err = errors.New("operation error DynamoDB: TransactWriteItems, request timed out") }()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.held == nil {
		f.held = map[string]bool{}
	}
	if f.withLease == nil {
		f.withLease = map[string]string{}
	}
	for _, it := range items {
		key := it.Put.Item["LockID"].(*ddbtypes.AttributeValueMemberS).Value
		var info struct{ ID string }
		if err := json.Unmarshal([]byte(it.Put.Item["Info"].(*ddbtypes.AttributeValueMemberS).Value), &info); err != nil {
			return "", false, err
		}
		f.held[info.ID] = true
		f.withLease[key] = info.ID
	}
	return v, true, nil
}
