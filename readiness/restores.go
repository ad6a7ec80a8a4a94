package readiness

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/internal/cmdline"
	"github.com/tfrebuild/tfrebuild/restore"
)

// TableSources is restore's source check of a table restore
// (*restore.Tables).
type TableSources interface {
	CheckSource(ctx context.Context, opts restore.TableOptions) (*restore.SourceState, error)
}

// BucketSources is restore's source check of a bucket restore
// (*restore.Buckets).
type BucketSources interface {
	CheckSource(ctx context.Context, opts restore.BucketOptions) (*restore.SourceState, error)
}

// Sources opens restore's source checks in an account, reading sources
// in sourceRegion ("" for the account's region).
type Sources interface {
	Tables(sourceRegion string) TableSources
	Buckets(sourceRegion string) BucketSources
}

// CheckRestore checks that a restore could run now and what it would
// bring back: its source exists and is reachable; the newest backup, the
// latest restorable time or the replica's newest object is within rpo of
// now; point-in-time recovery is on; the bucket whose versions it reads
// is versioned. a is the account the restore's target belongs to.
func CheckRestore(ctx context.Context, src Sources, r *config.Restore, a bootstrap.Account, rpo time.Duration, now time.Time) Check {
	c := Check{Name: "restore." + r.Name}
	var st *restore.SourceState
	var err error
	if r.Kind == config.RestoreDynamoDB {
		st, err = src.Tables(r.SourceRegion).CheckSource(ctx, restore.TableOptions{Table: r.DynamoDBTable, From: r.From,
			BackupARN: r.BackupARN, PointInTime: r.PointInTime, SourceTable: r.SourceTable})
	} else {
		st, err = src.Buckets(r.SourceRegion).CheckSource(ctx, restore.BucketOptions{Bucket: r.S3Bucket, From: r.From,
			PointInTime: r.PointInTime, SourceBucket: r.SourceBucket, AccountID: a.ID, SourceAccountID: r.SourceAccountID})
	}
	if err != nil {
		c.Verdict, c.Found, c.Do = Fail, fmt.Sprintf("restore %s (%s): %v", r.Name, r.Resource(), err), sourceFix(r, a, err)
		return c
	}
	judgeAge(&c, r, a, st, rpo, now)
	return c
}

// judgeAge sets the verdict from the recovery point's age against rpo.
func judgeAge(c *Check, r *config.Restore, a bootstrap.Account, st *restore.SourceState, rpo time.Duration, now time.Time) {
	found := fmt.Sprintf("restore %s (%s) from %s", r.Name, r.Resource(), st.Source)
	if st.RecoveryPoint == nil {
		c.Verdict, c.Found = Warn, found+": the source holds nothing to restore yet (no object), so its recovery point is unknown"
		return
	}
	age := now.Sub(*st.RecoveryPoint).Truncate(time.Second)
	if age < 0 {
		age = 0
	}
	found += fmt.Sprintf(": recovery point %s, age %s", st.RecoveryPoint.UTC().Format(time.RFC3339), age)
	if st.EarliestRestorable != nil {
		window := st.RecoveryPoint.Sub(*st.EarliestRestorable).Truncate(time.Second)
		found += fmt.Sprintf(", point-in-time window %s (from %s)", window, st.EarliestRestorable.UTC().Format(time.RFC3339))
	}
	switch {
	case rpo == 0:
		c.Verdict, c.Found, c.Do = Warn, found+"; no rpo is set, so its age is not judged", "set rpo = \"15m\" (or your objective) in rebuild.hcl"
	case age <= rpo && st.EarliestRestorable != nil && st.RecoveryPoint.Sub(*st.EarliestRestorable) < rpo:
		c.Verdict, c.Found = Warn, found+fmt.Sprintf(" (rpo %s: within; the point-in-time window is shorter than rpo: recovery was turned on recently)", rpo)
	case age <= rpo:
		c.Verdict, c.Found = OK, found+fmt.Sprintf(" (rpo %s: within)", rpo)
	case st.Pinned:
		c.Verdict, c.Found = Warn, found+fmt.Sprintf(" (rpo %s: OVER; the recovery point is pinned in the config)", rpo)
		c.Do = fmt.Sprintf("remove point_in_time/backup_arn from restore %q (%s:%d) to restore the newest data", r.Name, r.Range.Filename, r.Range.Start.Line)
	default:
		c.Verdict, c.Found = Fail, found+fmt.Sprintf(" (rpo %s: OVER the recovery point objective)", rpo)
		c.Do = staleFix(r, a)
	}
}

// sourceFix is what to do about a source that cannot be restored from.
func sourceFix(r *config.Restore, a bootstrap.Account, err error) string {
	var pitr *restore.PITROffError
	var nb *restore.NoBackupError
	switch {
	case errors.As(err, &pitr):
		return cmdline.AWS(sourceAt(a, pitr.Region), "dynamodb", "update-continuous-backups", "--table-name", pitr.Source,
			"--point-in-time-recovery-specification", "PointInTimeRecoveryEnabled=true")
	case errors.As(err, &nb):
		return cmdline.AWS(sourceAt(a, nb.Region), "dynamodb", "create-backup", "--table-name", nb.Table, "--backup-name", nb.Table+"-readiness")
	case r.Kind == config.RestoreS3 && r.From == "versions":
		return cmdline.AWS(sourceAt(a, r.SourceRegion), "s3api", "put-bucket-versioning", "--bucket", r.S3Bucket, "--versioning-configuration", "Status=Enabled")
	}
	return fmt.Sprintf("check restore %q at %s:%d and the credentials that read its source", r.Name, r.Range.Filename, r.Range.Start.Line)
}

// staleFix is what to do about a source older than the RPO.
func staleFix(r *config.Restore, a bootstrap.Account) string {
	switch {
	case r.Kind == config.RestoreDynamoDB && r.From == "backup":
		table := r.SourceTable
		if table == "" {
			table = r.DynamoDBTable
		}
		return "back up more often than rpo (AWS Backup plan or a schedule); now: " +
			cmdline.AWS(sourceAt(a, r.SourceRegion), "dynamodb", "create-backup", "--table-name", table, "--backup-name", table+"-now")
	case r.Kind == config.RestoreS3:
		return fmt.Sprintf("check the replication into s3://%s: its newest object is older than rpo", r.SourceBucket)
	}
	return "check point-in-time recovery of the source table: its latest restorable time lags more than rpo"
}

// sourceAt is where a command about a restore's source acts: the source's
// region when the restore names one, else the account's.
func sourceAt(a bootstrap.Account, region string) cmdline.Where {
	w := a.CLI()
	if region != "" {
		w.Region = region
	}
	return w
}
