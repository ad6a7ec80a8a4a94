package e2e

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
	"github.com/tfrebuild/tfrebuild/restore"
	"github.com/tfrebuild/tfrebuild/stages"
)

func TestRestoreTableFromBackupIntoItsStack(t *testing.T) {
	t.Parallel()
	rt := newRestoreTarget(t, "rst-table")
	rt.makeTable("a", "b", "c")
	arn := rt.backupAndDelete()
	rt.config("15m", fmt.Sprintf(ordersRestore, rt.table))

	res := rt.run("apply", "--yes", "--json")
	wantCode(t, res, 0)
	if got := rt.items(); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("items after the restore: %v", got)
	}
	if !rt.stateHas("data", "aws_dynamodb_table", "orders") {
		t.Error("the restored table is not in the stack's state")
	}
	// Adopted by the stack's own apply (an import block), not by a
	// Terraform process of its own; the block was for that apply only.
	if notes := strings.Join(rt.checkpoint().Stages["stack.data"].Notes, "\n"); !strings.Contains(notes, "imported table "+rt.table+" into its state as aws_dynamodb_table.orders") {
		t.Errorf("stack.data does not say its apply imported the table:\n%s", notes)
	}
	if left, _ := filepath.Glob(filepath.Join(rt.dir, ".tfrebuild", "work", "data", "src", "tfrebuild_imports.tf")); len(left) > 0 {
		t.Errorf("the import blocks outlive the apply: %v", left)
	}
	r := restoreRow(t, applySummary(t, res), "restore.orders")
	if r.Result.Outcome != restore.Restored || r.Result.BackupARN != arn || !r.RPO.RPOMet || r.RPO.RPOSeconds != 900 || r.RPO.DataAgeSeconds == nil {
		t.Errorf("restore.orders: %+v", r)
	}
	if v := r.Result.Verified; v == nil || !v.OK || v.Items == nil || *v.Items != 3 || v.SourceItems == nil || *v.SourceItems != 3 {
		t.Errorf("restore.orders verification: %+v", v)
	}
	if rec := rt.checkpoint().Stages["restore.orders"]; rec.Restore == nil || rec.Restore.Result.BackupARN != arn {
		t.Errorf("checkpoint record %+v", rec)
	}

	// Again: nothing restored twice, nothing imported, no Terraform change;
	// the first run's result stays on record.
	res = rt.run("apply", "--yes", "--json")
	wantCode(t, res, 0)
	if r := restoreRow(t, applySummary(t, res), "restore.orders"); r.Result.Outcome != restore.Restored || r.Result.BackupARN != arn {
		t.Errorf("second apply: %+v", r.Result)
	}
	plan := rt.run("plan", "--json", "plan.json", "--detailed-exitcode")
	wantCode(t, plan, 0)
	if doc := readFile(t, filepath.Join(rt.dir, "plan.json")); !strings.Contains(doc, `"action": "done"`) || !strings.Contains(doc, `"expected_rpo"`) {
		t.Errorf("plan after the restore:\n%s\n%s", doc, plan.Stdout)
	}
	status := rt.run("status", "--json")
	wantCode(t, status, 0)
	if !strings.Contains(status.Stdout, `"rpo_met": true`) || !strings.Contains(status.Stdout, arn) {
		t.Errorf("status --json shows no restore:\n%s", status.Stdout)
	}
}

func TestRestoreRefusesAnExistingTableUntilAccepted(t *testing.T) {
	t.Parallel()
	rt := newRestoreTarget(t, "rst-exist")
	rt.makeTable("live")
	rt.config("15m", fmt.Sprintf(ordersRestore, rt.table))

	res := rt.run("apply", "--yes")
	wantCode(t, res, 1)
	if !strings.Contains(res.Stderr, "--accept-existing "+rt.table) || !strings.Contains(res.Stderr, "exists and holds data") {
		t.Errorf("the refusal does not say what to do:\n%s", res.Stderr)
	}
	if c := rt.checkpoint(); c.Stages["stack.data"].Status != stages.Blocked {
		t.Errorf("stack.data ran over a refused restore: %+v", c.Stages["stack.data"])
	}
	if got := rt.items(); !slices.Equal(got, []string{"live"}) {
		t.Errorf("the existing table was touched: %v", got)
	}

	res = rt.run("apply", "--yes", "--json", "--accept-existing", "orders")
	wantCode(t, res, 0)
	r := restoreRow(t, applySummary(t, res), "restore.orders")
	if r.Result.Outcome != restore.Accepted || r.RPO.RPOMet || r.RPO.RecoveryPoint != nil {
		t.Errorf("accepted table: %+v", r)
	}
	if !rt.stateHas("data", "aws_dynamodb_table", "orders") || !slices.Equal(rt.items(), []string{"live"}) {
		t.Error("the accepted table is not adopted as it is")
	}
	// The acceptance holds for the next runs: no flag needed again.
	wantCode(t, rt.run("apply", "--yes"), 0)
}

// A run that died after starting the restore, before the import: the
// table is there, restored from the backup. The next apply recognises it,
// restores nothing, and imports it. (A table still CREATING is waited for:
// moto makes tables ACTIVE at once, so restore/resume_test.go covers that.)
func TestRestoreResumesATableAnEarlierRunRestored(t *testing.T) {
	t.Parallel()
	rt := newRestoreTarget(t, "rst-resume")
	rt.makeTable("x", "y")
	arn := rt.backupAndDelete()
	if _, err := rt.ddb().RestoreTableFromBackup(context.Background(), &dynamodb.RestoreTableFromBackupInput{
		TargetTableName: aws.String(rt.table), BackupArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	rt.config("1h", fmt.Sprintf(ordersRestore, rt.table))
	res := rt.run("apply", "--yes", "--json")
	wantCode(t, res, 0)
	if r := restoreRow(t, applySummary(t, res), "restore.orders"); r.Result.Outcome != restore.Resumed || r.Result.BackupARN != arn {
		t.Errorf("resumed restore: %+v", r.Result)
	}
	if !rt.stateHas("data", "aws_dynamodb_table", "orders") || !slices.Equal(rt.items(), []string{"x", "y"}) {
		t.Error("the table an earlier run restored is not adopted with its items")
	}
}

func TestRestoreBucketToAPointInTime(t *testing.T) {
	t.Parallel()
	rt := newRestoreTarget(t, "rst-bucket")
	rt.config("1h", "")
	wantCode(t, rt.run("apply", "--yes"), 0)
	good := map[string]string{"a.txt": "v1 a", "b.txt": "v1 b", "c.txt": "v1 c"}
	var pit time.Time
	for k, v := range good {
		if at := rt.put(k, v); at.After(pit) {
			pit = at
		}
	}
	// S3 times are whole seconds: corrupt in a later second than pit.
	testenv.NextSecond(t, pit)
	rt.put("a.txt", "garbage")
	rt.put("d.txt", "created after")
	if _, err := rt.s3().DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String(rt.bucket), Key: aws.String("b.txt")}); err != nil {
		t.Fatal(err)
	}

	rt.config("1h", fmt.Sprintf(`restore "uploads" {
  s3_bucket     = %q
  from          = "versions"
  point_in_time = %q
  stack         = stack.data
  address       = "aws_s3_bucket.uploads"
}
`, rt.bucket, pit.Format(time.RFC3339)))
	res := rt.run("apply", "--yes", "--json")
	wantCode(t, res, 0)
	for k, v := range good {
		if got := rt.get(k); got != v {
			t.Errorf("%s = %q after the restore, want %q", k, got, v)
		}
	}
	if got := rt.get("d.txt"); got != "" {
		t.Errorf("d.txt, created after the point in time, is still current: %q", got)
	}
	r := restoreRow(t, applySummary(t, res), "restore.uploads")
	if o := r.Result.Objects; o == nil || o.Restored != 2 || o.Deleted != 1 || o.Unchanged != 1 || !r.RPO.RPOMet {
		t.Errorf("restore.uploads: %+v %+v", r.Result, o)
	}
	if v := r.Result.Verified; v == nil || !v.OK || v.Checked != 4 || v.Matched != 4 {
		t.Errorf("restore.uploads verification: %+v", v)
	}
}

func (rt *restoreTarget) put(key, body string) time.Time {
	rt.t.Helper()
	ctx := context.Background()
	if _, err := rt.s3().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(rt.bucket), Key: aws.String(key), Body: strings.NewReader(body)}); err != nil {
		rt.t.Fatal(err)
	}
	h, err := rt.s3().HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(rt.bucket), Key: aws.String(key)})
	if err != nil {
		rt.t.Fatal(err)
	}
	return aws.ToTime(h.LastModified).UTC()
}

// get is an object's current content; "" when it has none.
func (rt *restoreTarget) get(key string) string {
	rt.t.Helper()
	out, err := rt.s3().GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(rt.bucket), Key: aws.String(key)})
	if err != nil {
		return ""
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		rt.t.Fatal(err)
	}
	return string(b)
}

type restoreJSON struct {
	Result restore.Result
	RPO    restore.RPO
}

func restoreRow(t *testing.T, s summaryJSON, stage string) restoreJSON {
	t.Helper()
	for _, st := range s.Stages {
		if st.Name == stage && st.Restore != nil {
			return restoreJSON{Result: st.Restore.Result, RPO: st.Restore.RPO}
		}
	}
	t.Fatalf("no restore in the summary for %s: %+v", stage, s)
	return restoreJSON{}
}
