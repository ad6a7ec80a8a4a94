package rebuild

import (
	"context"
	"errors"
	"fmt"

	"github.com/tfrebuild/tfrebuild/config"

	"github.com/tfrebuild/tfrebuild/restore"
	"github.com/tfrebuild/tfrebuild/terraform"
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

// importer is the part of Terraform a restore needs to adopt what it
// brought back into its stack's state. *terraform.Runner implements it.
type importer interface {
	StateHas(ctx context.Context, s terraform.Stack, address string) (bool, error)
	Import(ctx context.Context, s terraform.Stack, address, id string) error
}

var (
	_ importer = (*terraform.Runner)(nil)
	_ importer = (*stateFiles)(nil)
)

// errCannotImport is a Terraform that has no import (a test's, or a
// wrapper around one).
var errCannotImport = errors.New("this Terraform runner cannot import")

func cannotImport(r *config.Restore) error {
	return fmt.Errorf("%w; the table %q is restored, import it by hand: terraform import %s %s",
		errCannotImport, r.Resource(), r.Address, r.Resource())
}
