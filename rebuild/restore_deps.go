package rebuild

import (
	"context"

	"github.com/tfrebuild/tfrebuild/restore"
)

// Restorers opens the restore library on the target's session, reading its
// sources in sourceRegion ("" for the target's region). note receives the
// library's progress. The real one is restore.NewTables and
// restore.NewBuckets over the guarded session; tests pass fakes.
type Restorers interface {
	Tables(sourceRegion string, note func(string)) TableRestorer
	Buckets(sourceRegion string, note func(string)) BucketRestorer
}

// TableRestorer is what the engine asks of *restore.Tables.
type TableRestorer interface {
	Restore(ctx context.Context, opts restore.TableOptions) (*restore.Result, error)
	Plan(ctx context.Context, opts restore.TableOptions) (*restore.Plan, error)
	Presence(ctx context.Context, table string) (restore.Presence, error)
	Verify(ctx context.Context, opts restore.TableOptions, res *restore.Result) (*restore.Verification, error)
}

// BucketRestorer is what the engine asks of *restore.Buckets.
type BucketRestorer interface {
	Restore(ctx context.Context, opts restore.BucketOptions) (*restore.Result, error)
	Plan(ctx context.Context, opts restore.BucketOptions) (*restore.Plan, error)
	Presence(ctx context.Context, bucket, account string) (restore.Presence, error)
	Verify(ctx context.Context, opts restore.BucketOptions) (*restore.Verification, error)
}

var (
	_ TableRestorer  = (*restore.Tables)(nil)
	_ BucketRestorer = (*restore.Buckets)(nil)
)
