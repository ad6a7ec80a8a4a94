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
// bucket is the account's first, and returns nil when the bucket does
// not exist yet (nothing can be driven there before the state stage); a
// lock table that does not exist yet is lease.ErrNoStore from the lease's
// first write.
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
	// Whether the table exists yet, the lease's first write says
	// (lease.ErrNoStore): no call of its own for it.
	return &lease.DynamoDB{DB: s.DDB, Table: st.LockTable, ID: LeaseID(project, account, region)}, nil
}
