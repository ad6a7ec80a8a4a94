package restore

import (
	"context"
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

func TestRestoreNewestBackupBringsEveryItemBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := ddb(t)
	name := unique("orders")
	createTable(t, db, name, 25)
	older := backup(t, db, name)
	putItems(t, db, name, 25, 40) // the newest backup holds these too
	want := items(t, db, name)
	newest := backup(t, db, name)
	deleteTable(t, db, name)

	tables := NewTables(awsConfig(t), "")
	p, err := tables.Plan(ctx, TableOptions{Table: name, From: FromBackup})
	if err != nil {
		t.Fatal(err)
	}
	if p.Action != ActionRestore || p.TargetExists || p.BackupARN != aws.ToString(newest.BackupArn) || p.Problem != "" {
		t.Fatalf("plan: %+v, want a restore of the newest backup %s (older: %s)", p, aws.ToString(newest.BackupArn), aws.ToString(older.BackupArn))
	}
	if _, err := db.DescribeTable(ctx, describe(name)); err == nil {
		t.Fatal("plan created the table")
	}

	res, err := tables.Restore(ctx, TableOptions{Table: name, From: FromBackup})
	if err != nil {
		t.Fatal(err)
	}
	if got := items(t, db, name); !maps.Equal(got, want) {
		t.Errorf("restored %d items, want %d: %v", len(got), len(want), got)
	}
	if res.Outcome != Restored || res.BackupARN != aws.ToString(newest.BackupArn) ||
		res.RecoveryPoint == nil || !res.RecoveryPoint.Equal(aws.ToTime(newest.BackupCreationDateTime)) {
		t.Errorf("result %+v: want restored from %s, recovery point %s", res, aws.ToString(newest.BackupArn), newest.BackupCreationDateTime)
	}

	// A second run (a resumed rebuild) restores nothing and reports the same recovery point.
	again, err := tables.Restore(ctx, TableOptions{Table: name, From: FromBackup})
	if err != nil {
		t.Fatal(err)
	}
	if again.Outcome != Resumed || again.RecoveryPoint == nil || !again.RecoveryPoint.Equal(*res.RecoveryPoint) {
		t.Errorf("second run: %+v, want resumed with recovery point %s", again, res.RecoveryPoint)
	}
}

func TestRestoreGivenBackupUnderAnotherName(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := ddb(t)
	src := unique("ledger")
	createTable(t, db, src, 5)
	bk := backup(t, db, src)
	putItems(t, db, src, 5, 9) // not in the backup

	target := src + "-restored"
	opts := TableOptions{Table: target, From: FromBackup, BackupARN: aws.ToString(bk.BackupArn), SourceTable: src}
	res, err := NewTables(awsConfig(t), "").Restore(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(items(t, db, target)); n != 5 {
		t.Errorf("restored %d items, want the backup's 5", n)
	}
	if res.TableARN == "" || !strings.Contains(res.Source, aws.ToString(bk.BackupArn)) {
		t.Errorf("result %+v does not name the table and the backup", res)
	}
}

func TestRestoreToPointInTime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := ddb(t)
	src := unique("events")
	createTable(t, db, src, 12)
	want := items(t, db, src)
	tables := NewTables(awsConfig(t), "")
	target := src + "-pitr"
	opts := TableOptions{Table: target, From: FromPointInTime, SourceTable: src}

	p, err := tables.Plan(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if p.Action != ActionRestore || p.RecoveryPoint == nil || p.Problem != "" {
		t.Fatalf("plan %+v: want a restore at the latest restorable time", p)
	}
	res, err := tables.Restore(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := items(t, db, target); !maps.Equal(got, want) {
		t.Errorf("restored %v, want %v", got, want)
	}
	if res.RecoveryPoint == nil || res.RecoveryPoint.Before(*p.RecoveryPoint) {
		t.Errorf("recovery point %v is older than the latest restorable time the plan read (%v)", res.RecoveryPoint, p.RecoveryPoint)
	}
	again, err := tables.Restore(ctx, opts)
	if err != nil || again.Outcome != Resumed {
		t.Errorf("second run: %+v, %v; want resumed", again, err)
	}
	// Asked for a backup restore instead, the table restored to a point in
	// time is not this restore's: refused, with what to do.
	_, err = tables.Restore(ctx, TableOptions{Table: target, From: FromBackup, SourceTable: src})
	var ex *ExistingTableError
	if !errors.As(err, &ex) || !ex.HasData || ex.RestoredFrom == "" {
		t.Errorf("backup restore over a PITR-restored table: %v, want ExistingTableError naming where it came from", err)
	}
}

func TestPointInTimeGivenTimeIsRecoveryPoint(t *testing.T) {
	t.Parallel()
	db := ddb(t)
	src := unique("audit")
	createTable(t, db, src, 3)
	at := time.Now().Add(time.Second).Truncate(time.Second)
	res, err := NewTables(awsConfig(t), "").Restore(context.Background(),
		TableOptions{Table: src + "-at", From: FromPointInTime, SourceTable: src, PointInTime: at})
	if err != nil {
		t.Fatal(err)
	}
	if res.RecoveryPoint == nil || !res.RecoveryPoint.Equal(at) {
		t.Errorf("recovery point %v, want the given %v", res.RecoveryPoint, at)
	}
}

func TestRefusesExistingTable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := ddb(t)
	full, empty := unique("full"), unique("empty")
	createTable(t, db, full, 1)
	backup(t, db, full)
	createTable(t, db, empty, 0)
	backup(t, db, empty)
	tables := NewTables(awsConfig(t), "")

	for _, tc := range []struct {
		table string
		data  bool
	}{{full, true}, {empty, false}} {
		_, err := tables.Restore(ctx, TableOptions{Table: tc.table, From: FromBackup})
		var ex *ExistingTableError
		if !errors.As(err, &ex) || ex.HasData != tc.data {
			t.Fatalf("%s: %v, want ExistingTableError with HasData=%v", tc.table, err, tc.data)
		}
		if msg := err.Error(); !strings.Contains(msg, "--accept-existing "+tc.table) || !strings.Contains(msg, "another name") {
			t.Errorf("error does not say what to do: %s", msg)
		}
		p, err := tables.Plan(ctx, TableOptions{Table: tc.table, From: FromBackup})
		if err != nil || p.Action != ActionRefuse || !p.TargetExists || p.TargetHasData != tc.data ||
			!strings.Contains(p.Problem, "--accept-existing") || p.RecoveryPoint == nil {
			t.Errorf("plan of %s: %+v, %v; want refuse, exists, has data %v, what to do, and the backup it would restore", tc.table, p, err, tc.data)
		}
		p, err = tables.Plan(ctx, TableOptions{Table: tc.table, From: FromBackup, AcceptExisting: true})
		if err != nil || p.Action != ActionAccept || p.RecoveryPoint != nil {
			t.Errorf("plan accepting %s: %+v, %v; want accept with no recovery point", tc.table, p, err)
		}
		res, err := tables.Restore(ctx, TableOptions{Table: tc.table, From: FromBackup, AcceptExisting: true})
		if err != nil || res.Outcome != Accepted || res.RecoveryPoint != nil {
			t.Errorf("accepted %s: %+v, %v; want accepted with no recovery point", tc.table, res, err)
		}
	}
	if n := len(items(t, db, full)); n != 1 {
		t.Errorf("the existing table changed: %d items", n)
	}
}

func TestNoBackup(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tables := NewTables(awsConfig(t), "")
	name := unique("nobackup")
	_, err := tables.Restore(ctx, TableOptions{Table: name, From: FromBackup})
	var nb *NoBackupError
	if !errors.As(err, &nb) {
		t.Fatalf("%v, want NoBackupError", err)
	}
	p, err := tables.Plan(ctx, TableOptions{Table: name, From: FromBackup})
	if err != nil || p.Problem == "" || p.RecoveryPoint != nil {
		t.Errorf("plan %+v, %v: want the missing backup as a problem", p, err)
	}
	_, err = tables.Restore(ctx, TableOptions{Table: name, From: FromPointInTime})
	if err == nil || !strings.Contains(err.Error(), "from = \"backup\"") {
		t.Errorf("PITR of a missing table: %v, want advice to restore from a backup", err)
	}
}

func TestBackupInAnotherRegionSaysWhere(t *testing.T) {
	t.Parallel()
	west1 := dynamodbIn(t, "eu-west-1")
	src := unique("elsewhere")
	createTable(t, west1, src, 1)
	bk := backup(t, west1, src)
	_, err := NewTables(awsConfig(t), "").Restore(context.Background(),
		TableOptions{Table: src, From: FromBackup, BackupARN: aws.ToString(bk.BackupArn)})
	if err == nil || !strings.Contains(err.Error(), `source_region = "eu-west-1"`) {
		t.Errorf("%v, want a hint to set source_region", err)
	}
	res, err := NewTables(awsConfig(t), "eu-west-1").Plan(context.Background(),
		TableOptions{Table: src, From: FromBackup, BackupARN: aws.ToString(bk.BackupArn)})
	if err != nil || res.Problem != "" || res.RecoveryPoint == nil {
		t.Errorf("plan with source_region: %+v, %v", res, err)
	}
}
