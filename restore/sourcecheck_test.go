package restore

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// CheckSource reads the source alone: a target that does not exist is
// no problem; an unversioned bucket, a missing replica, PITR off are.
func TestCheckSource(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := s3in(t, region)
	buckets := NewBuckets(awsConfig(t), "", s3opts)
	plain, versioned, replica := unique("plain"), unique("vers"), unique("replica")
	makeBucket(t, c, plain, false)
	makeBucket(t, c, versioned, true)
	makeBucket(t, c, replica, false)
	put(t, c, replica, "a", "1")
	written := time.Now()

	if _, err := buckets.CheckSource(ctx, BucketOptions{Bucket: plain, From: FromVersions, PointInTime: written}); err == nil || !strings.Contains(err.Error(), "is not versioned") {
		t.Errorf("unversioned: %v", err)
	}
	if st, err := buckets.CheckSource(ctx, BucketOptions{Bucket: versioned, From: FromVersions, PointInTime: written}); err != nil || !st.Versioned || !st.Pinned {
		t.Errorf("versioned: %+v %v", st, err)
	}
	st, err := buckets.CheckSource(ctx, BucketOptions{Bucket: unique("absent-target"), From: FromBucket, SourceBucket: replica})
	if err != nil || st.Objects != 1 || st.RecoveryPoint == nil || written.Sub(*st.RecoveryPoint) > time.Minute {
		t.Errorf("replica: %+v %v", st, err)
	}
	if _, err := buckets.CheckSource(ctx, BucketOptions{Bucket: plain, From: FromBucket, SourceBucket: unique("gone")}); err == nil {
		t.Error("a missing replica passed")
	}

	db := ddb(t)
	table := unique("src")
	createTable(t, db, table, 1)
	tables := NewTables(awsConfig(t), "")
	if st, err := tables.CheckSource(ctx, TableOptions{Table: unique("t"), From: FromPointInTime, SourceTable: table}); err != nil || st.EarliestRestorable == nil || st.RecoveryPoint == nil {
		t.Errorf("PITR on: %+v %v", st, err)
	}
	if _, err := db.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: aws.String(table),
		PointInTimeRecoverySpecification: &ddbtypes.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(false)}}); err != nil {
		t.Fatal(err)
	}
	var off *PITROffError
	if _, err := tables.CheckSource(ctx, TableOptions{Table: unique("t"), From: FromPointInTime, SourceTable: table}); !errors.As(err, &off) || off.Source != table {
		t.Errorf("PITR off: %v", err)
	}
	b := backup(t, db, table)
	st, err = tables.CheckSource(ctx, TableOptions{Table: unique("t"), From: FromBackup, SourceTable: table})
	if err != nil || st.BackupARN != aws.ToString(b.BackupArn) || st.RecoveryPoint == nil || st.Pinned {
		t.Errorf("backup: %+v %v", st, err)
	}
}
