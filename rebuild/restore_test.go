package rebuild

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	ckfile "github.com/tfrebuild/tfrebuild/checkpoint/file"
	"github.com/tfrebuild/tfrebuild/outcome"
	"github.com/tfrebuild/tfrebuild/restore"
	"github.com/tfrebuild/tfrebuild/stages"
)

func TestATableIsRestoredAndImportedBeforeItsStack(t *testing.T) {
	t.Parallel()
	w := newRestoreWorld(t)
	sum, err := w.apply()
	if err != nil {
		t.Fatal(err)
	}
	// The table is restored before the stack runs and imported by the
	// stack's own apply (no Terraform process of its own); the bucket's
	// objects after the stack has created the bucket.
	if got := w.tf.appliedList(); !slices.Equal(got, []string{"shared"}) {
		t.Errorf("terraform calls %v, want the stack's apply alone", got)
	}
	if notes := w.checkpoint().Stages["import.orders"].Notes; !hasNote(notes, "table orders is imported into stack.shared's state as aws_dynamodb_table.orders by the stack's own apply") {
		t.Errorf("import.orders notes %q", notes)
	}
	if notes := w.checkpoint().Stages["stack.shared"].Notes; !hasNote(notes, "imported table orders into its state as aws_dynamodb_table.orders") {
		t.Errorf("stack.shared notes %q", notes)
	}
	// The stack decides on the state its import stage read just before
	// it: one read before the apply, one of the outputs after it.
	if r, e := w.cloud.called("StateRead"), w.cloud.called("StateExists"); r != 2 || e != 0 {
		t.Errorf("the state of shared was read %d times and looked for %d times, want 2 reads (import stage, outputs)", r, e)
	}
	if got := w.callList(); !slices.Equal(got, []string{"table.Restore orders", "bucket.Restore orders-uploads", "table.Verify orders", "bucket.Verify orders-uploads"}) {
		t.Errorf("restore calls %v", got)
	}
	if !slices.Equal(w.itf.imports, []string{"shared/aws_dynamodb_table.orders=orders"}) {
		t.Errorf("imports %v, want the table by name", w.itf.imports)
	}
	if v := w.tf.vars["import shared"]["table"]; !v.RawEquals(cty.StringVal("orders")) {
		t.Errorf("import ran without the stack's inputs: %#v", w.tf.vars["import shared"])
	}
	if o := w.rs.bucketOpts[0]; o.AccountID != "123456789012" || o.AcceptExisting || !o.KeepNewer || !o.PointInTime.Equal(time.Date(2026, 1, 1, 6, 0, 0, 0, time.UTC)) {
		t.Errorf("bucket options %+v", o)
	}
	rec := w.checkpoint().Stages["restore.orders"]
	if rec == nil || rec.Status != stages.Done || rec.Restore == nil {
		t.Fatalf("restore.orders record: %+v", rec)
	}
	m := rec.Restore.RPO
	if !m.RPOMet || m.RPOSeconds != 900 || m.DataAgeSeconds == nil || *m.DataAgeSeconds < 300 || rec.Restore.Result.Outcome != restore.Restored {
		t.Errorf("recorded RPO %+v of %+v", m, rec.Restore.Result)
	}
	if over := sum.OverRPO(); len(over) != 0 {
		t.Errorf("within RPO, yet over: %v", over)
	}
	if v := outcome.JudgeDrill(sum, 0, nil); !v.Passed {
		t.Errorf("drill within RPO: %v", v)
	}

	// A second apply neither restores nor reads the source again: the
	// restore is done on record and its table is there.
	if _, err := w.apply(); err != nil {
		t.Fatal(err)
	}
	if len(w.itf.imports) != 1 {
		t.Errorf("second apply imported again: %v", w.itf.imports)
	}
	if got := w.callList()[4:]; !slices.Equal(got, []string{"table.Presence orders", "bucket.Presence orders-uploads"}) {
		t.Errorf("second apply's restore calls %v, want the targets read only", got)
	}
	if notes := w.checkpoint().Stages["restore.orders"].Notes; !strings.Contains(strings.Join(notes, "\n"), "not run again") {
		t.Errorf("notes %q", notes)
	}
	if r := w.checkpoint().Stages["restore.orders"].Restore; r == nil || r.Result.Outcome != restore.Restored {
		t.Errorf("the first run's result is not kept: %+v", r)
	}
}

// A restore done on record runs again when its target is gone, or when
// asked for by name; never otherwise.
func TestARestoreRunsAgainOnlyWhenNeededOrAsked(t *testing.T) {
	t.Parallel()
	w := newRestoreWorld(t)
	if _, err := w.apply(); err != nil {
		t.Fatal(err)
	}
	w.rs.gone = map[string]bool{"orders": true}
	if _, err := w.apply(); err != nil {
		t.Fatal(err)
	}
	if got := w.callList()[4:]; !slices.Equal(got, []string{"table.Presence orders", "table.Restore orders", "bucket.Presence orders-uploads", "table.Verify orders"}) {
		t.Errorf("a gone table: calls %v", got)
	}
	w.rs.gone = nil
	c := w.common()
	c.Deps = w.deps()
	if _, err := Apply(context.Background(), w.cfg, ApplyOptions{Common: c, Restore: []string{"orders-uploads"}}); err != nil {
		t.Fatal(err)
	}
	if got := w.callList()[8:]; !slices.Equal(got, []string{"table.Presence orders", "bucket.Restore orders-uploads", "bucket.Verify orders-uploads"}) {
		t.Errorf("--restore orders-uploads: calls %v", got)
	}
	if _, err := Apply(context.Background(), w.cfg, ApplyOptions{Common: c, Restore: []string{"nope"}}); err == nil || !strings.Contains(err.Error(), "--restore nope") {
		t.Errorf("an unknown --restore name: %v", err)
	}
}

func TestAnExistingTableStopsTheRestoreUntilAccepted(t *testing.T) {
	t.Parallel()
	w := newRestoreWorld(t)
	w.rs.tableResult = func(o restore.TableOptions) (*restore.Result, error) {
		if !o.AcceptExisting {
			return nil, &restore.ExistingTableError{Table: o.Table, Region: "eu-west-2", HasData: true}
		}
		return &restore.Result{Kind: restore.KindDynamoDB, Target: o.Table, Outcome: restore.Accepted, RestoredAt: time.Now()}, nil
	}
	_, err := w.apply()
	var existing *restore.ExistingTableError
	if !errors.As(err, &existing) || !strings.Contains(err.Error(), "--accept-existing orders") {
		t.Fatalf("apply over an existing table: %v", err)
	}
	c := w.checkpoint()
	if c.Stages["restore.orders"].Status != stages.Failed || c.Stages["stack.shared"].Status != stages.Blocked {
		t.Errorf("the stack ran over a refused restore: %+v", c.Stages)
	}
	if len(w.tf.appliedList()) != 0 {
		t.Errorf("terraform ran: %v", w.tf.appliedList())
	}

	if _, err := w.apply("nope"); err == nil || !strings.Contains(err.Error(), "orders (orders), uploads (orders-uploads)") {
		t.Errorf("an unknown --accept-existing name: %v", err)
	}
	sum, err := w.apply("orders")
	if err != nil {
		t.Fatal(err)
	}
	if !w.rs.tableOpts[len(w.rs.tableOpts)-1].AcceptExisting || w.rs.bucketOpts[0].AcceptExisting {
		t.Errorf("accept went to the wrong restore: %+v %+v", w.rs.tableOpts, w.rs.bucketOpts)
	}
	if !slices.Equal(w.itf.imports, []string{"shared/aws_dynamodb_table.orders=orders"}) {
		t.Errorf("the accepted table is not imported: %v", w.itf.imports)
	}
	// Accepted: its recovery point is unknown, so not within RPO: a
	// warning in apply, a failure in a drill.
	if over := sum.OverRPO(); len(over) != 1 || !strings.HasPrefix(over[0], "restore.orders: recovery point unknown") {
		t.Errorf("over RPO %v", over)
	}
	if v := outcome.JudgeDrill(sum, 0, nil); v.Passed || !strings.Contains(v.Reason, "restore.orders") {
		t.Errorf("drill verdict %v", v)
	}
	if notes := strings.Join(w.checkpoint().Stages["restore.orders"].Notes, "\n"); !strings.Contains(notes, "warning: ") {
		t.Errorf("no warning in %q", notes)
	}
	// Accepted once, accepted again: the next apply needs no flag.
	if _, err := w.apply(); err != nil {
		t.Fatalf("an apply after the acceptance: %v", err)
	}
}

func TestDataOlderThanTheRPOIsAWarningInApplyAndAFailureInADrill(t *testing.T) {
	t.Parallel()
	w := newRestoreWorld(t)
	w.rs.tableResult = func(o restore.TableOptions) (*restore.Result, error) {
		at := time.Now().Add(-2 * time.Hour)
		return &restore.Result{Kind: restore.KindDynamoDB, Target: o.Table, Outcome: restore.Restored, RecoveryPoint: &at, RestoredAt: time.Now()}, nil
	}
	sum, err := w.apply()
	if err != nil {
		t.Fatalf("over the RPO is only a warning in apply: %v", err)
	}
	over := sum.OverRPO()
	if len(over) != 1 || !strings.Contains(over[0], "OVER the recovery point objective") {
		t.Errorf("over RPO %v", over)
	}
	if v := outcome.JudgeDrill(sum, time.Hour, nil); v.Passed {
		t.Errorf("a drill over the RPO passed")
	}
	st, err := ReadStatus(context.Background(), w.cfg, StatusOptions{Deps: w.deps()})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st.Stages {
		if s.Name == "restore.orders" && (s.Restore == nil || s.Restore.RPO.RPOMet || *s.Restore.RPO.DataAgeSeconds < 7200) {
			t.Errorf("status of restore.orders: %+v", s.Restore)
		}
	}
}

func TestAFailedImportIsRetriedWithoutRestoringAgain(t *testing.T) {
	t.Parallel()
	w := newRestoreWorld(t)
	w.itf.importErr = errBoom
	if _, err := w.apply(); !errors.Is(err, errBoom) {
		t.Fatalf("apply with a failing import: %v", err)
	}
	// Data first: the restore is its own stage, done; the stack's apply,
	// which imports, failed.
	if rec := w.checkpoint().Stages["restore.orders"]; rec.Restore == nil || rec.Status != stages.Done {
		t.Errorf("the restore's result is lost when the import fails: %+v", rec)
	}
	if rec := w.checkpoint().Stages["stack.shared"]; rec.Status != stages.Failed {
		t.Errorf("stack.shared = %s, want failed", rec.Status)
	}
	w.itf.importErr = nil
	if _, err := w.apply(); err != nil {
		t.Fatal(err)
	}
	if len(w.itf.imports) != 1 {
		t.Errorf("imports %v", w.itf.imports)
	}
	restores := 0
	for _, c := range w.callList() {
		if strings.HasPrefix(c, "table.Restore") {
			restores++
		}
	}
	if restores != 1 {
		t.Errorf("the table was restored %d times, want once: %v", restores, w.callList())
	}
}

func TestARestoreIntoAMissingBucketSaysWhy(t *testing.T) {
	t.Parallel()
	w := newRestoreWorld(t)
	w.rs.bucketRes = func(o restore.BucketOptions) (*restore.Result, error) {
		return nil, &restore.MissingBucketError{Bucket: o.Bucket, Region: "eu-west-2"}
	}
	_, err := w.apply()
	if err == nil || !strings.Contains(err.Error(), `check that s3_bucket = "orders-uploads" in restore "uploads"`) {
		t.Fatalf("apply into a missing bucket: %v", err)
	}
}

func TestPlanReportsRestoresAndRestoresNothing(t *testing.T) {
	t.Parallel()
	w := newRestoreWorld(t)
	backup := time.Now().Add(-time.Hour)
	w.rs.tablePlan = &restore.Plan{Kind: restore.KindDynamoDB, Target: "orders", From: "backup", Source: "backup arn:b1",
		RecoveryPoint: &backup, Action: restore.ActionRestore}
	w.rs.bucketPlan = &restore.Plan{Kind: restore.KindS3, Target: "orders-uploads", From: "versions", Action: restore.ActionRestore,
		Problem: "the bucket does not exist"}
	w.tf.outputs["shared"] = nil
	c := w.common()
	c.Deps = w.deps()
	rep, err := Plan(context.Background(), w.cfg, PlanOptions{Common: c})
	if err != nil {
		t.Fatal(err)
	}
	if got := w.callList(); !slices.Equal(got, []string{"table.Plan orders", "bucket.Plan orders-uploads"}) {
		t.Errorf("plan called %v, want plans only", got)
	}
	if len(w.itf.imports) != 0 {
		t.Errorf("plan imported %v", w.itf.imports)
	}
	var orders, uploads *outcome.PlanStage
	for _, s := range rep.Stages {
		switch s.Name {
		case "restore.orders":
			orders = s
		case "restore.uploads":
			uploads = s
		}
	}
	if orders == nil || orders.Restore == nil || orders.Restore.Expected.RPOMet || orders.Restore.Expected.RPOSeconds != 900 {
		t.Fatalf("restore.orders plan %+v", orders)
	}
	if !rep.ChangesPending || rep.Totals["restore"] != 2 {
		t.Errorf("a restore to run is a pending change: %+v", rep.Totals)
	}
	// The fake stack plan creates terraform_data.shared, not the bucket:
	// the missing bucket stays a problem.
	if uploads == nil || uploads.Restore == nil || uploads.Restore.Problem == "" {
		t.Errorf("restore.uploads plan %+v", uploads)
	}
}

// A restore stage the previous run left running may have died in its
// import (a tfrebuild that imported within the restore stage), holding
// the stack's state lock: the next run looks for that lock before it
// reads the stack's state, as a crashed stack stage does.
func TestACrashedRestoreLooksForItsStaleStateLock(t *testing.T) {
	t.Parallel()
	w := newRestoreWorld(t)
	if _, err := w.apply(); err != nil {
		t.Fatal(err)
	}
	c := w.checkpoint()
	c.Stages["restore.orders"].Status = stages.Running
	if err := w.store.Save(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	before := w.cloud.called("StateLock")
	if _, err := w.apply(); err != nil {
		t.Fatal(err)
	}
	if w.cloud.called("StateLock") != before+1 || len(w.itf.imports) != 1 {
		t.Errorf("StateLock calls %d (before %d), imports %v", w.cloud.called("StateLock"), before, w.itf.imports)
	}
}

// Destroying a stack destroys the data restored into it: the checkpoint
// forgets its restores with it, so status does not report them as done.
func TestDestroyForgetsTheRestoresOfItsStacks(t *testing.T) {
	t.Parallel()
	w := newRestoreWorld(t)
	if _, err := w.apply(); err != nil {
		t.Fatal(err)
	}
	c := w.common()
	c.Deps = w.deps()
	if _, err := Destroy(context.Background(), w.cfg, DestroyOptions{Common: c}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"stack.shared", "restore.orders", "restore.uploads"} {
		if rec := w.checkpoint().Stages[name]; rec != nil {
			t.Errorf("%s is still in the checkpoint after destroy: %+v", name, rec)
		}
	}
}

func TestAFailedAttemptDropsTheEarlierResult(t *testing.T) {
	t.Parallel()
	w := newRestoreWorld(t)
	if _, err := w.apply(); err != nil {
		t.Fatal(err)
	}
	w.rs.tableResult = func(o restore.TableOptions) (*restore.Result, error) {
		return nil, &restore.ExistingTableError{Table: o.Table, HasData: true}
	}
	w.rs.gone = map[string]bool{"orders": true} // so that it runs again
	sum, err := w.apply()
	if err == nil {
		t.Fatal("want the refusal")
	}
	if rec := w.checkpoint().Stages["restore.orders"]; rec.Restore != nil || sum.Stages[3].Restore != nil {
		t.Errorf("a refused restore still shows the earlier result: %+v", rec.Restore)
	}
}

// What a restore brought back is verified when the run's stages are done;
// a mismatch is a finding, in the summary and the checkpoint, and fails
// a drill.
func TestARestoreMismatchIsAFindingAndFailsADrill(t *testing.T) {
	t.Parallel()
	w := newRestoreWorld(t)
	w.rs.bad = map[string]bool{"orders-uploads": true}
	sum, err := w.apply()
	if err != nil {
		t.Fatal(err)
	}
	rec := w.checkpoint().Stages["restore.uploads"]
	if v := rec.Restore.Result.Verified; v == nil || v.OK || v.MismatchCount != 1 {
		t.Errorf("recorded verification %+v", v)
	}
	if len(rec.Findings) != 1 || rec.Findings[0].Kind != Mismatch {
		t.Errorf("findings %+v", rec.Findings)
	}
	if v := w.checkpoint().Stages["restore.orders"].Restore.Result.Verified; v == nil || !v.OK {
		t.Errorf("restore.orders verification %+v", v)
	}
	if got := sum.Mismatched(); len(got) != 1 || !strings.HasPrefix(got[0], "restore.uploads: MISMATCH") {
		t.Errorf("Mismatched() = %v", got)
	}
	if v := outcome.JudgeDrill(sum, 0, nil); v.Passed || !strings.Contains(v.Reason, "differs from its source") {
		t.Errorf("a drill with a mismatch: %v", v)
	}
	// A later apply does not run the restore again: the mismatch stays a
	// finding.
	if _, err := w.apply(); err != nil {
		t.Fatal(err)
	}
	if f := w.checkpoint().Stages["restore.uploads"].Findings; len(f) != 1 || f[0].Kind != Mismatch {
		t.Errorf("the mismatch was forgotten by the next apply: %+v", f)
	}
}

// A failed restore blocks only the stages that need its data: its stack
// (which would otherwise create an empty table) and what depends on it;
// a stack that does not depend on it is applied.
func TestAFailedRestoreBlocksOnlyWhatNeedsItsData(t *testing.T) {
	t.Parallel()
	w := newRestoreWorld(t)
	dir := t.TempDir()
	w.cfg = loadTree(t, dir, map[string]string{"rebuild.hcl": restoreConfig + `
stack "other" {
  source = "stacks/other"
}
stack "link" {
  source     = "stacks/other"
  depends_on = [stack.shared]
}
`, "stacks/shared/main.tf": sharedStack, "stacks/other/main.tf": backend})
	w.store = &ckfile.Store{Path: filepath.Join(dir, ".tfrebuild", "checkpoint.json")}
	w.rs.tableResult = func(o restore.TableOptions) (*restore.Result, error) {
		return nil, &restore.NoBackupError{Table: o.Table, Region: "eu-west-2"}
	}
	if _, err := w.apply(); err == nil {
		t.Fatal("want the restore's failure")
	}
	c := w.checkpoint()
	for name, want := range map[string]stages.Status{"restore.orders": stages.Failed, "stack.shared": stages.Blocked,
		"stack.link": stages.Blocked, "restore.uploads": stages.Blocked, "stack.other": stages.Done} {
		if got := c.Stages[name]; got == nil || got.Status != want {
			t.Errorf("%s: %+v, want %s", name, got, want)
		}
	}
}

// A resume does not apply again a stack whose restore ran before the
// stack finished in this rebuild: the stack's apply after the restore has
// set what the restore does not bring back. (It did, every resume: the
// rule read the stack's finish time from the record its running attempt
// had just cleared.)
func TestAResumeSkipsAStackAppliedAfterItsRestore(t *testing.T) {
	t.Parallel()
	w := newRestoreWorld(t)
	ok := w.rs.bucketRes
	w.rs.bucketRes = func(restore.BucketOptions) (*restore.Result, error) { return nil, errBoom }
	if _, err := w.apply(); err == nil {
		t.Fatal("the bucket restore did not fail")
	}
	w.rs.bucketRes = ok
	// shared's state is read ahead, while the state stage runs: its
	// restore is done on record, so its import stage and its own stage
	// run as soon as the bootstrap ends.
	w.cloud.callsAfter(t, "EnsureLockTable", "StateRead", "shared's state was not read ahead of its stages")
	if _, err := w.apply(); err != nil {
		t.Fatal(err)
	}
	if got := w.tf.appliedList(); !slices.Equal(got, []string{"shared"}) {
		t.Errorf("terraform calls %v, want shared once (the resume skips it)", got)
	}
	if notes := w.checkpoint().Stages["stack.shared"].Notes; hasNote(notes, "which ran in this rebuild") {
		t.Errorf("the resume says the restore ran after shared: %q", notes)
	}
}
