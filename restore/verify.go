package restore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Verification is what came back, checked against what the source held at
// the recovery point. Its JSON form is part of Result: fields are added,
// never renamed.
type Verification struct {
	// OK: everything checked matched. False with mismatches, or with
	// Problem when the check could not be made.
	OK bool `json:"ok"`
	// Checked and Matched count S3 keys (every key of the source listing
	// at the recovery point, and every key the restore hid) or, for
	// DynamoDB, the one comparison of item counts.
	Checked int `json:"checked"`
	Matched int `json:"matched"`
	// Mismatches are what differs: a key missing or with another ETag or
	// size, a key still current that should be hidden, an item count or
	// key schema or indexes that differ. At most maxExamples are listed;
	// MismatchCount counts them all.
	Mismatches    []string `json:"mismatches,omitempty"`
	MismatchCount int      `json:"mismatch_count"`
	// SourceItems and Items are DynamoDB's item counts: the backup's (or
	// the live source table's, counted by Scan) and the restored table's,
	// counted by Scan.
	SourceItems *int64 `json:"source_items,omitempty"`
	Items       *int64 `json:"items,omitempty"`
	// Problem says why the data could not be verified (never as fine).
	Problem string `json:"problem,omitempty"`
}

const maxExamples = 10

func (v *Verification) mismatch(format string, args ...any) {
	v.MismatchCount++
	if len(v.Mismatches) < maxExamples {
		v.Mismatches = append(v.Mismatches, fmt.Sprintf(format, args...))
	}
}

func (v *Verification) done() *Verification {
	v.OK = v.MismatchCount == 0 && v.Problem == ""
	v.Matched = v.Checked - min(v.Checked, v.MismatchCount)
	return v
}

// String is the verification as a summary line shows it.
func (v *Verification) String() string {
	switch {
	case v == nil:
		return "not verified"
	case v.MismatchCount > 0:
		return fmt.Sprintf("MISMATCH: %d difference(s) from the source: %s", v.MismatchCount, strings.Join(v.Mismatches, "; "))
	case v.Problem != "":
		return "NOT VERIFIED: " + v.Problem
	case v.Items != nil:
		return fmt.Sprintf("verified: %d items, as the source had", *v.Items)
	}
	return fmt.Sprintf("verified: %d of %d keys as the source had them at the recovery point", v.Matched, v.Checked)
}

// Verify checks the bucket against the source listing at the recovery
// point, key by key: it works the restore out again, read-only; a restore
// that came back whole leaves nothing to do. Every key the source held is
// compared by ETag and size, and every key the restore hid must still be
// hidden. Objects only the target has (kept) are not compared.
func (b *Buckets) Verify(ctx context.Context, opts BucketOptions) (*Verification, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if err := b.exists(ctx, opts.Bucket, opts.AccountID); err != nil {
		return nil, err
	}
	w, err := b.work(ctx, opts)
	if err != nil {
		return nil, err
	}
	v := &Verification{Checked: w.counts.Restored + w.counts.Unchanged + w.counts.Deleted}
	for _, o := range w.ops {
		if o.delete {
			v.mismatch("%s is current, but did not exist at the recovery point", o.key)
		} else {
			v.mismatch("%s is missing or differs from the source's", o.key)
		}
	}
	return v.done(), nil
}

// Verify checks a restored table against its source: the item count
// (counted with Scan) against the backup's item count, or, for a
// point-in-time restore, against the live source table counted the same
// way; the key schema and the secondary indexes against the source's.
func (t *Tables) Verify(ctx context.Context, opts TableOptions, res *Result) (*Verification, error) {
	d, err := t.describe(ctx, opts.Table)
	if err == nil && d == nil {
		err = fmt.Errorf("table %q is gone from %s", opts.Table, t.Region)
	}
	if err != nil {
		return nil, err
	}
	var want sourceShape
	if res.BackupARN != "" {
		want, err = t.backupShape(ctx, res.BackupARN)
	} else {
		want, err = t.liveShape(ctx, opts.source())
	}
	if err != nil {
		return nil, err
	}
	n, err := count(ctx, t.Target, opts.Table)
	if err != nil {
		return nil, err
	}
	v := &Verification{Checked: 1, Items: &n, SourceItems: want.items}
	switch {
	case want.items == nil:
		v.Problem = "the source does not say how many items it held"
	case *want.items != n:
		v.mismatch("%d items, the source had %d", n, *want.items)
	}
	if got := keySchema(d.KeySchema); got != keySchema(want.keys) {
		v.mismatch("key schema %s, the source's is %s", got, keySchema(want.keys))
	}
	if want.indexes != nil {
		if got := indexNames(d); !slices.Equal(got, want.indexes) {
			v.mismatch("indexes %v, the source's are %v", got, want.indexes)
		}
	}
	return v.done(), nil
}

type sourceShape struct {
	items   *int64
	keys    []ddbtypes.KeySchemaElement
	indexes []string // nil: not known
}

func (t *Tables) backupShape(ctx context.Context, arn string) (sourceShape, error) {
	out, err := t.Source.DescribeBackup(ctx, &dynamodb.DescribeBackupInput{BackupArn: aws.String(arn)})
	if err != nil {
		return sourceShape{}, fmt.Errorf("read backup %s in %s to verify the restore: %w", arn, t.SourceRegion, err)
	}
	var s sourceShape
	if d := out.BackupDescription.SourceTableDetails; d != nil {
		s.items, s.keys = d.ItemCount, d.KeySchema
	}
	if f := out.BackupDescription.SourceTableFeatureDetails; f != nil {
		s.indexes = []string{}
		for _, i := range f.GlobalSecondaryIndexes {
			s.indexes = append(s.indexes, aws.ToString(i.IndexName))
		}
		for _, i := range f.LocalSecondaryIndexes {
			s.indexes = append(s.indexes, aws.ToString(i.IndexName))
		}
		slices.Sort(s.indexes)
	}
	return s, nil
}

func (t *Tables) liveShape(ctx context.Context, table string) (sourceShape, error) {
	out, err := t.Source.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		return sourceShape{}, fmt.Errorf("describe source table %q in %s to verify the restore: %w", table, t.SourceRegion, err)
	}
	n, err := count(ctx, t.Source, table)
	if err != nil {
		return sourceShape{}, err
	}
	return sourceShape{items: &n, keys: out.Table.KeySchema, indexes: indexNames(out.Table)}, nil
}

// count counts a table's items with Scan (Select COUNT): ItemCount is
// refreshed only every few hours in AWS.
func count(ctx context.Context, c DynamoDBAPI, table string) (int64, error) {
	var n int64
	in := &dynamodb.ScanInput{TableName: aws.String(table), Select: ddbtypes.SelectCount}
	for {
		out, err := c.Scan(ctx, in)
		if err != nil {
			return 0, fmt.Errorf("count the items of DynamoDB table %q: %w", table, err)
		}
		n += int64(out.Count)
		if len(out.LastEvaluatedKey) == 0 {
			return n, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

func keySchema(ks []ddbtypes.KeySchemaElement) string {
	var parts []string
	for _, k := range ks {
		parts = append(parts, aws.ToString(k.AttributeName)+" "+string(k.KeyType))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func indexNames(d *ddbtypes.TableDescription) []string {
	out := []string{}
	for _, i := range d.GlobalSecondaryIndexes {
		out = append(out, aws.ToString(i.IndexName))
	}
	for _, i := range d.LocalSecondaryIndexes {
		out = append(out, aws.ToString(i.IndexName))
	}
	slices.Sort(out)
	return out
}
