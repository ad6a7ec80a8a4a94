package restore

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tfrebuild/tfrebuild/internal/cmdline"
)

// DynamoDBAPI is the part of the DynamoDB client a table restore uses.
type DynamoDBAPI interface {
	DescribeTable(context.Context, *dynamodb.DescribeTableInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
	Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
	ListBackups(context.Context, *dynamodb.ListBackupsInput, ...func(*dynamodb.Options)) (*dynamodb.ListBackupsOutput, error)
	DescribeBackup(context.Context, *dynamodb.DescribeBackupInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeBackupOutput, error)
	DescribeContinuousBackups(context.Context, *dynamodb.DescribeContinuousBackupsInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeContinuousBackupsOutput, error)
	RestoreTableFromBackup(context.Context, *dynamodb.RestoreTableFromBackupInput, ...func(*dynamodb.Options)) (*dynamodb.RestoreTableFromBackupOutput, error)
	RestoreTableToPointInTime(context.Context, *dynamodb.RestoreTableToPointInTimeInput, ...func(*dynamodb.Options)) (*dynamodb.RestoreTableToPointInTimeOutput, error)
}

var _ DynamoDBAPI = (*dynamodb.Client)(nil)

// TableOptions is one DynamoDB restore block.
type TableOptions struct {
	// Table is the target: the table brought back under this name.
	Table string
	// From is FromBackup or FromPointInTime.
	From string
	// BackupARN is the backup to restore; "" for the newest AVAILABLE
	// backup of SourceTable (any type: user, system, AWS Backup).
	BackupARN string
	// PointInTime is the moment to restore to; zero for the latest
	// restorable time.
	PointInTime time.Time
	// SourceTable is the table whose backups or history are restored;
	// "" for Table.
	SourceTable string
	// AcceptExisting keeps an existing target table as it is instead of
	// refusing (--accept-existing NAME).
	AcceptExisting bool
}

func (o TableOptions) source() string {
	if o.SourceTable != "" {
		return o.SourceTable
	}
	return o.Table
}

func (o TableOptions) validate() error {
	switch {
	case o.Table == "":
		return fmt.Errorf("restore DynamoDB table: no target table name")
	case o.From != FromBackup && o.From != FromPointInTime:
		return fmt.Errorf("restore DynamoDB table %q: from = %q; use %q or %q", o.Table, o.From, FromBackup, FromPointInTime)
	case o.From == FromPointInTime && o.BackupARN != "":
		return fmt.Errorf("restore DynamoDB table %q: backup_arn is set but from = %q; use from = %q to restore that backup", o.Table, o.From, FromBackup)
	case o.From == FromBackup && !o.PointInTime.IsZero():
		return fmt.Errorf("restore DynamoDB table %q: point_in_time is set but from = %q; use from = %q", o.Table, o.From, FromPointInTime)
	}
	return nil
}

// Tables restores DynamoDB tables into one region, from backups and
// continuous backups in a source region (the same one by default).
type Tables struct {
	// Target is a client in the region the table is restored into.
	Target DynamoDBAPI
	// Source is a client in the region of the source table and its backups;
	// the same client as Target for a same-region restore.
	Source       DynamoDBAPI
	Region       string
	SourceRegion string
	// MaxWait bounds the wait for a table to become ACTIVE. Large tables
	// take hours to restore; the default is 12h.
	MaxWait time.Duration
	// Poll is the shortest and MaxPoll the longest interval between
	// checks (by default 1 s and 10 s: a tenth of the time waited between).
	Poll, MaxPoll time.Duration
	// Now is the clock (time.Now by default).
	Now func() time.Time
	// Note, when set, receives progress worth showing during waits that
	// can last hours (the engine turns them into stage_note events). Notes
	// hold names, ARNs and times only.
	Note func(msg string)
	// Account is where the table lives, for the commands a message gives
	// a person: its region, and whose credentials when it is not the
	// target's account.
	Account cmdline.Where
}

// NewTables builds the clients from cfg: the target in cfg.Region, the
// source in sourceRegion ("" for the same region). optFns apply to both
// clients (endpoint overrides, retryers).
func NewTables(cfg aws.Config, sourceRegion string, optFns ...func(*dynamodb.Options)) *Tables {
	t := &Tables{Target: dynamodb.NewFromConfig(cfg, optFns...), Region: cfg.Region, SourceRegion: cfg.Region}
	t.Source = t.Target
	if sourceRegion != "" && sourceRegion != cfg.Region {
		src := cfg.Copy()
		src.Region = sourceRegion
		t.Source = dynamodb.NewFromConfig(src, optFns...)
		t.SourceRegion = sourceRegion
	}
	return t
}

func (t *Tables) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

func (t *Tables) note(format string, args ...any) {
	if t.Note != nil {
		t.Note(fmt.Sprintf(format, args...))
	}
}

func (t *Tables) crossRegion() bool { return t.SourceRegion != "" && t.SourceRegion != t.Region }

// describe returns the target table's description, nil when it does not
// exist.
func (t *Tables) describe(ctx context.Context, table string) (*ddbtypes.TableDescription, error) {
	out, err := t.Target.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	switch {
	case hasCode(err, "ResourceNotFoundException"):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("describe DynamoDB table %q in %s: %w", table, t.Region, err)
	}
	return out.Table, nil
}

// hasData reads one item: ItemCount is refreshed only every few hours in
// AWS, so a table written a minute ago can still report 0.
func (t *Tables) hasData(ctx context.Context, table string) (bool, error) {
	out, err := t.Target.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table), Limit: aws.Int32(1)})
	if err != nil {
		return false, fmt.Errorf("check whether DynamoDB table %q in %s holds data: %w", table, t.Region, err)
	}
	return len(out.Items) > 0 || out.LastEvaluatedKey != nil, nil
}
