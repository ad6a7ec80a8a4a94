package restore

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// maxDecisions bounds the describe-decide loop: a table that keeps
// changing state under us (created, deleted, created) is someone else's
// work in progress, and we stop rather than race it.
const maxDecisions = 5

// Restore brings the table back under opts.Table and waits until it is
// ACTIVE. It first reads the target: a restore already in progress is
// waited for, a table this restore already produced is reported as done
// (Resumed), and any other existing table is refused with
// ExistingTableError unless opts.AcceptExisting.
func (t *Tables) Restore(ctx context.Context, opts TableOptions) (*Result, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	for range maxDecisions {
		d, err := t.describe(ctx, opts.Table)
		if err != nil {
			return nil, err
		}
		switch decide(d, opts) {
		case decideRestore:
			res, err := t.start(ctx, opts)
			if hasCode(err, "TableAlreadyExistsException", "ResourceInUseException") {
				continue // created meanwhile: look again
			}
			return res, err
		case decideWait:
			t.note("table %s is %s (restore in progress: %v); waiting for it, not restoring again", opts.Table, d.TableStatus, d.RestoreSummary != nil)
			if err := t.waitActive(ctx, opts.Table); err != nil {
				return nil, err
			}
		case decideWaitGone:
			t.note("table %s is being deleted; waiting until it is gone", opts.Table)
			if err := t.waitGone(ctx, opts.Table); err != nil {
				return nil, err
			}
		case decideDone:
			return t.finished(ctx, opts, d, Resumed)
		case decideCheckData:
			return t.existing(ctx, opts, d)
		case decideUnavailable:
			return nil, fmt.Errorf("restore DynamoDB table %q in %s: the table exists with status %s; "+
				"tfrebuild cannot use or replace it: restore into another name, or resolve its status first", opts.Table, t.Region, d.TableStatus)
		}
	}
	return nil, fmt.Errorf("restore DynamoDB table %q in %s: the table kept changing state while tfrebuild looked at it; "+
		"is another process restoring or deleting it? Run again once it is settled", opts.Table, t.Region)
}

// start resolves the source and starts the restore, then waits for it.
func (t *Tables) start(ctx context.Context, opts TableOptions) (*Result, error) {
	src, err := t.resolve(ctx, opts)
	if err != nil {
		return nil, err
	}
	t.note("restoring table %s from %s", opts.Table, src.describe(opts, t.SourceRegion))
	var desc *ddbtypes.TableDescription
	if src.backupARN != "" {
		desc, err = t.fromBackup(ctx, opts, src)
	} else {
		desc, err = t.toPointInTime(ctx, opts, &src)
	}
	if err != nil {
		return nil, t.restoreError(opts, src, err)
	}
	if desc == nil {
		desc = &ddbtypes.TableDescription{} // unknown: wait for it below
	}
	if desc.TableStatus != ddbtypes.TableStatusActive {
		t.note("waiting for table %s to become ACTIVE (large tables take hours)", opts.Table)
		if err := t.waitActive(ctx, opts.Table); err != nil {
			return nil, err
		}
	}
	at := src.at
	return &Result{Kind: KindDynamoDB, Target: opts.Table, From: opts.From, Source: src.describe(opts, t.SourceRegion),
		Outcome: Restored, RecoveryPoint: &at, RestoredAt: t.now(), BackupARN: src.backupARN,
		TableARN: aws.ToString(desc.TableArn)}, nil
}

func (t *Tables) fromBackup(ctx context.Context, opts TableOptions, src tableSource) (*ddbtypes.TableDescription, error) {
	out, err := t.Target.RestoreTableFromBackup(ctx, &dynamodb.RestoreTableFromBackupInput{
		TargetTableName: aws.String(opts.Table), BackupArn: aws.String(src.backupARN)})
	if err != nil {
		return nil, err
	}
	return out.TableDescription, nil
}

// toPointInTime starts a point-in-time restore. With the latest restorable
// time, AWS picks the moment; its summary says which (never older than the
// one read before), and src.at becomes that.
func (t *Tables) toPointInTime(ctx context.Context, opts TableOptions, src *tableSource) (*ddbtypes.TableDescription, error) {
	in := &dynamodb.RestoreTableToPointInTimeInput{TargetTableName: aws.String(opts.Table)}
	if src.sourceARN != "" {
		in.SourceTableArn = aws.String(src.sourceARN)
	} else {
		in.SourceTableName = aws.String(opts.source())
	}
	if src.latest {
		in.UseLatestRestorableTime = aws.Bool(true)
	} else {
		in.RestoreDateTime = aws.Time(src.at)
	}
	out, err := t.Target.RestoreTableToPointInTime(ctx, in)
	if err != nil {
		return nil, err
	}
	if d := out.TableDescription; src.latest && d != nil && d.RestoreSummary != nil && d.RestoreSummary.RestoreDateTime != nil {
		src.at = *d.RestoreSummary.RestoreDateTime
	}
	return out.TableDescription, nil
}

func (t *Tables) restoreError(opts TableOptions, src tableSource, err error) error {
	what := src.describe(opts, t.SourceRegion)
	if hasCode(err, "InvalidRestoreTimeException") {
		return fmt.Errorf("restore DynamoDB table %q from %s: the time is outside the restorable window "+
			"(aws dynamodb describe-continuous-backups --table-name %s --region %s): %w", opts.Table, what, opts.source(), t.SourceRegion, err)
	}
	return fmt.Errorf("restore DynamoDB table %q in %s from %s: %w", opts.Table, t.Region, what, err)
}

// finished reports a table an earlier run restored. Its recovery point is
// the backup's creation time when the backup is still there, else the
// summary's restore time (AWS: the point in time or the backup's time);
// its RestoredAt is the table's creation, when the restore started.
func (t *Tables) finished(ctx context.Context, opts TableOptions, d *ddbtypes.TableDescription, o Outcome) (*Result, error) {
	s := d.RestoreSummary
	res := &Result{Kind: KindDynamoDB, Target: opts.Table, From: opts.From, Outcome: o, RestoredAt: t.now(),
		BackupARN: aws.ToString(s.SourceBackupArn), TableARN: aws.ToString(d.TableArn)}
	// When the restore finished is not recorded; when it started is, and
	// it keeps the data age the same however often the result is asked for.
	if d.CreationDateTime != nil {
		res.RestoredAt = *d.CreationDateTime
	}
	src := tableSource{backupARN: res.BackupARN}
	if s.RestoreDateTime != nil {
		src.at = *s.RestoreDateTime
	}
	if res.BackupARN != "" {
		if b, err := t.describeBackup(ctx, res.BackupARN); err == nil {
			src.at = b.at
		}
	}
	if !src.at.IsZero() {
		res.RecoveryPoint = &src.at
	}
	res.Source = src.describe(opts, t.SourceRegion)
	return res, nil
}

// existing handles a table that is not this restore's: accepted, or
// refused with what to do.
func (t *Tables) existing(ctx context.Context, opts TableOptions, d *ddbtypes.TableDescription) (*Result, error) {
	if opts.AcceptExisting {
		return &Result{Kind: KindDynamoDB, Target: opts.Table, From: opts.From, Source: "existing table " + opts.Table,
			Outcome: Accepted, RestoredAt: t.now(), TableARN: aws.ToString(d.TableArn)}, nil
	}
	data, err := t.hasData(ctx, opts.Table)
	if err != nil {
		return nil, err
	}
	return nil, &ExistingTableError{Table: opts.Table, Region: t.Region, Account: t.Account, HasData: data, RestoredFrom: restoredFrom(d.RestoreSummary)}
}
