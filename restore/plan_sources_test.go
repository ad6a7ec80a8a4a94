package restore

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Each source a restore cannot use is a problem of its plan, found by
// reading (never by restoring); what reading cannot prove is listed as
// not checked, never as fine.
func TestPlanReportsEachSourceThatCannotBeUsed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := ddb(t)
	tables := NewTables(awsConfig(t), "")

	noPITR := unique("nopitr")
	if _, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(noPITR), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}}}); err != nil {
		t.Fatal(err)
	}
	withPITR := unique("pitr")
	createTable(t, db, withPITR, 2)

	for _, tc := range []struct {
		name string
		opts TableOptions
		want string
	}{
		{"no backup", TableOptions{Table: unique("nb"), From: FromBackup}, "no AVAILABLE backup"},
		{"a backup that does not exist", TableOptions{Table: unique("nb"), From: FromBackup,
			BackupARN: "arn:aws:dynamodb:eu-west-2:123456789012:table/x/backup/01700000000000-deadbeef"}, "read backup"},
		{"point-in-time recovery off", TableOptions{Table: unique("t"), SourceTable: noPITR, From: FromPointInTime}, "point-in-time recovery is not enabled"},
		{"source table missing", TableOptions{Table: unique("t"), SourceTable: unique("gone"), From: FromPointInTime}, "does not exist"},
		{"before the window", TableOptions{Table: unique("t"), SourceTable: withPITR, From: FromPointInTime,
			PointInTime: time.Now().Add(-40 * 24 * time.Hour)}, "at the earliest"},
	} {
		p, err := tables.Plan(ctx, tc.opts)
		if err != nil || !strings.Contains(p.Problem, tc.want) || p.RecoveryPoint != nil {
			t.Errorf("%s: plan %+v, %v; want a problem saying %q", tc.name, p, err, tc.want)
		}
	}

	// After the latest restorable time AWS reports: not refused (it moves
	// on), not fine either.
	p, err := tables.Plan(ctx, TableOptions{Table: unique("t"), SourceTable: withPITR, From: FromPointInTime, PointInTime: time.Now().Add(time.Hour)})
	if err != nil || p.Problem != "" || !strings.Contains(strings.Join(p.Unchecked, " "), "after the latest restorable time") {
		t.Errorf("after the latest restorable time: %+v, %v", p, err)
	}
	// Cross-region: the source is read in its region; whether AWS accepts
	// the restore cannot be checked.
	west1 := dynamodbIn(t, "eu-west-1")
	far := unique("far")
	createTable(t, west1, far, 1)
	p, err = NewTables(awsConfig(t), "eu-west-1").Plan(ctx, TableOptions{Table: unique("t"), SourceTable: far, From: FromPointInTime})
	if err != nil || p.Problem != "" || p.RecoveryPoint == nil || !strings.Contains(strings.Join(p.Unchecked, " "), "cross-region restore from eu-west-1 into eu-west-2") {
		t.Errorf("cross-region point in time: %+v, %v", p, err)
	}
}

func TestPlanReportsEachBucketThatCannotBeUsed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := s3in(t, region)
	buckets := NewBuckets(awsConfig(t), "", s3opts)
	plain := unique("plain")
	makeBucket(t, c, plain, false)
	put(t, c, plain, "k", "v")
	target := unique("target")
	makeBucket(t, c, target, true)
	pit := time.Now().Add(-time.Hour)

	for _, tc := range []struct {
		name string
		opts BucketOptions
		want string
	}{
		{"versions without versioning", BucketOptions{Bucket: plain, From: FromVersions, PointInTime: pit}, "versioning is not enabled"},
		{"source bucket missing", BucketOptions{Bucket: target, From: FromBucket, SourceBucket: unique("gone")}, "NoSuchBucket"},
		{"a point in time of an unversioned source", BucketOptions{Bucket: target, From: FromBucket, SourceBucket: plain, PointInTime: pit}, "no versioning"},
	} {
		p, err := buckets.Plan(ctx, tc.opts)
		if err != nil || !strings.Contains(p.Problem, tc.want) {
			t.Errorf("%s: plan %+v, %v; want a problem saying %q", tc.name, p, err, tc.want)
		}
	}

	// A target the stack has not created yet: the copy's counts and
	// recovery point come from the source, as apply computes them; the
	// target's versioning is not checked.
	p, err := buckets.Plan(ctx, BucketOptions{Bucket: unique("later"), From: FromBucket, SourceBucket: plain})
	if err != nil || p.RecoveryPoint == nil || p.Objects == nil || p.Objects.Restored != 1 ||
		!strings.Contains(strings.Join(p.Unchecked, " "), "does not exist yet") {
		t.Errorf("a copy into a bucket not created yet: %+v, %v", p, err)
	}
}
