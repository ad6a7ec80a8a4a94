package restore

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// tableSource is a resolved source: the backup or the point in time a
// table restore reads, and the recovery point that implies.
type tableSource struct {
	backupARN string
	// at is the recovery point: the backup's creation time, the given point
	// in time, or the latest restorable time found before the restore.
	at time.Time
	// latest: restore to the latest restorable time (none was given).
	latest bool
	// latestRestorable and earliestRestorable are the window AWS reported
	// (PITR).
	latestRestorable, earliestRestorable time.Time
	// sourceARN is set for a cross-region point-in-time restore, which
	// names its source by ARN.
	sourceARN string
}

func (s tableSource) describe(opts TableOptions, region string) string {
	if s.backupARN != "" {
		return "backup " + s.backupARN
	}
	when := s.at.UTC().Format(time.RFC3339)
	if s.latest {
		when = "latest restorable time (" + when + ")"
	}
	return fmt.Sprintf("table %s in %s at %s", opts.source(), region, when)
}

// resolve finds the backup or point in time to restore, reading only.
func (t *Tables) resolve(ctx context.Context, opts TableOptions) (tableSource, error) {
	if opts.From == FromBackup {
		if opts.BackupARN != "" {
			return t.describeBackup(ctx, opts.BackupARN)
		}
		return t.newestBackup(ctx, opts.source())
	}
	return t.pointInTime(ctx, opts)
}

func (t *Tables) describeBackup(ctx context.Context, arn string) (tableSource, error) {
	out, err := t.Source.DescribeBackup(ctx, &dynamodb.DescribeBackupInput{BackupArn: aws.String(arn)})
	if err != nil {
		hint := "check backup_arn (aws dynamodb list-backups --region " + t.SourceRegion + ")"
		if r := arnRegion(arn); r != "" && r != t.SourceRegion {
			hint = "the backup is in " + r + ": set source_region = \"" + r + "\""
		}
		return tableSource{}, fmt.Errorf("read backup %s in %s: %w; %s", arn, t.SourceRegion, err, hint)
	}
	if out.BackupDescription == nil {
		return tableSource{}, emptyAnswer("backup "+arn, t.SourceRegion)
	}
	d := out.BackupDescription.BackupDetails
	if d == nil || d.BackupStatus != ddbtypes.BackupStatusAvailable {
		status := "unknown"
		if d != nil {
			status = string(d.BackupStatus)
		}
		return tableSource{}, fmt.Errorf("backup %s is %s, not AVAILABLE; wait for it or choose another backup_arn", arn, status)
	}
	return tableSource{backupARN: arn, at: aws.ToTime(d.BackupCreationDateTime)}, nil
}

// newestBackup lists every type of backup (user, system, AWS Backup): a
// table deleted with point-in-time recovery on leaves a system backup, the
// only way back once the table is gone.
func (t *Tables) newestBackup(ctx context.Context, table string) (tableSource, error) {
	var best *ddbtypes.BackupSummary
	in := &dynamodb.ListBackupsInput{TableName: aws.String(table), BackupType: ddbtypes.BackupTypeFilterAll}
	for {
		page, err := t.Source.ListBackups(ctx, in)
		if err != nil {
			return tableSource{}, fmt.Errorf("list backups of table %q in %s: %w", table, t.SourceRegion, err)
		}
		for i := range page.BackupSummaries {
			b := &page.BackupSummaries[i]
			if b.BackupStatus != ddbtypes.BackupStatusAvailable {
				continue
			}
			if best == nil || aws.ToTime(b.BackupCreationDateTime).After(aws.ToTime(best.BackupCreationDateTime)) {
				best = b
			}
		}
		if page.LastEvaluatedBackupArn == nil {
			break
		}
		in.ExclusiveStartBackupArn = page.LastEvaluatedBackupArn
	}
	if best == nil {
		return tableSource{}, &NoBackupError{Table: table, Region: t.SourceRegion}
	}
	return tableSource{backupARN: aws.ToString(best.BackupArn), at: aws.ToTime(best.BackupCreationDateTime)}, nil
}

func (t *Tables) pointInTime(ctx context.Context, opts TableOptions) (tableSource, error) {
	src := opts.source()
	out, err := t.Source.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: aws.String(src)})
	switch {
	case hasCode(err, "TableNotFoundException", "ResourceNotFoundException"):
		return tableSource{}, fmt.Errorf("restore table %q to a point in time: source table %q does not exist in %s; "+
			"a deleted table cannot be restored to a point in time, but its backups can: use from = \"backup\" "+
			"(a table deleted with point-in-time recovery on leaves a system backup for 35 days)", opts.Table, src, t.SourceRegion)
	case err != nil:
		return tableSource{}, fmt.Errorf("read point-in-time recovery of table %q in %s: %w", src, t.SourceRegion, err)
	}
	if out.ContinuousBackupsDescription == nil {
		return tableSource{}, emptyAnswer("point-in-time recovery of table "+strconv.Quote(src), t.SourceRegion)
	}
	pitr := out.ContinuousBackupsDescription.PointInTimeRecoveryDescription
	if pitr == nil || pitr.PointInTimeRecoveryStatus != ddbtypes.PointInTimeRecoveryStatusEnabled {
		return tableSource{}, &PITROffError{Table: opts.Table, Source: src, Region: t.SourceRegion}
	}
	s := tableSource{at: opts.PointInTime}
	earliest := aws.ToTime(pitr.EarliestRestorableDateTime)
	if opts.PointInTime.IsZero() {
		s.at, s.latest = aws.ToTime(pitr.LatestRestorableDateTime), true
	} else if opts.PointInTime.Before(earliest) {
		return tableSource{}, fmt.Errorf("restore table %q to %s: table %q can be restored to %s at the earliest; choose a later point_in_time or a backup",
			opts.Table, opts.PointInTime.UTC().Format(time.RFC3339), src, earliest.UTC().Format(time.RFC3339))
	}
	s.latestRestorable, s.earliestRestorable = aws.ToTime(pitr.LatestRestorableDateTime), earliest
	if t.crossRegion() {
		d, err := t.Source.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(src)})
		if err != nil {
			return tableSource{}, fmt.Errorf("describe source table %q in %s: %w", src, t.SourceRegion, err)
		}
		if d.Table == nil || d.Table.TableArn == nil {
			return tableSource{}, emptyAnswer("source table "+strconv.Quote(src), t.SourceRegion)
		}
		s.sourceARN = aws.ToString(d.Table.TableArn)
	}
	return s, nil
}

// emptyAnswer is the error for a reply that decoded without an error but
// without the description asked for: DynamoDB marks those parts optional,
// and a loaded endpoint (moto under load, a truncated reply) sends them
// empty. Nothing was started, so running again is safe.
func emptyAnswer(what, region string) error {
	return fmt.Errorf("read %s in %s: DynamoDB answered without a description; nothing was restored, run again", what, region)
}

// arnRegion is the region field of an ARN, or "".
func arnRegion(arn string) string {
	parts := strings.SplitN(arn, ":", 5)
	if len(parts) < 5 || parts[0] != "arn" {
		return ""
	}
	return parts[3]
}
