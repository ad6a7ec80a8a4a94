package bootstrap

import (
	"context"
	"fmt"

	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/lease"
)

// LeaseKey is the state bucket's object that holds the run lease of a
// project whose state locks with lock files. It is under the project's
// prefix (so destroy --all empties it with the rest), beside and never
// inside a stack's state key (PROJECT/STACK/terraform.tfstate).
func LeaseKey(project string) string { return project + "/tfrebuild-run.lease" }

// LeaseID is the lock table item that holds the run lease.
func LeaseID(project, account, region string) string {
	return fmt.Sprintf("tfrebuild/%s/%s/%s/lease", project, account, region)
}

// OwnState proves that the state bucket, if it exists, is the account's
// (a *ForeignBucketError otherwise), without writing anything. Every
// command that reads or writes the state calls it before Terraform does.
func (s *Session) OwnState(ctx context.Context, account string, st config.State) (exists bool, err error) {
	return s.findBucket(ctx, account, st.Bucket)
}

// RunLease returns where the target's run lease lives: the lock table
// when the state has one, the state bucket otherwise. It proves the
// bucket is the account's first, and returns nil when that backend does
// not exist yet (nothing can be driven there before the state stage).
func (s *Session) RunLease(ctx context.Context, account string, st config.State, project, region string) (lease.Store, error) {
	bucket, err := s.OwnState(ctx, account, st)
	if err != nil {
		return nil, err
	}
	if st.LockTable == "" {
		if !bucket {
			return nil, nil
		}
		return &lease.S3{Client: s.S3, Bucket: st.Bucket, Key: LeaseKey(project), Account: account}, nil
	}
	if ok, err := s.TableExists(ctx, st.LockTable); err != nil || !ok {
		return nil, err
	}
	return &lease.DynamoDB{DB: s.DDB, Table: st.LockTable, ID: LeaseID(project, account, region)}, nil
}
