package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

// The day after: the restore block stays in the config, the service is
// back and customers write again. A routine plan proposes nothing and a
// routine apply leaves what they wrote; only --restore NAME brings the
// point in time back.
func TestRestoreBucketRunsOncePerRebuild(t *testing.T) {
	t.Parallel()
	rt := newRestoreTarget(t, "rst-once")
	rt.config("1h", "")
	wantCode(t, rt.run("apply", "--yes"), 0)
	pit := rt.put("a.txt", "v1 a")
	if at := rt.put("b.txt", "v1 b"); at.After(pit) {
		pit = at
	}
	testenv.NextSecond(t, pit)
	rt.put("a.txt", "garbage")
	rt.config("1h", fmt.Sprintf(`restore "uploads" {
  s3_bucket     = %q
  from          = "versions"
  point_in_time = %q
  stack         = stack.data
  address       = "aws_s3_bucket.uploads"
}
`, rt.bucket, pit.Format(time.RFC3339)))
	rt.put("late.txt", "written after the point in time")
	plan := rt.run("plan", "--markdown", "plan.md", "--detailed-exitcode")
	wantCode(t, plan, 2)
	const counts = "1 objects to restore, 1 unchanged, 1 to hide"
	if md := readFile(t, filepath.Join(rt.dir, "plan.md")); !strings.Contains(plan.Stdout, counts) || !strings.Contains(md, "| restore: "+counts+" |") {
		t.Errorf("the plan does not count the restore's objects (%q):\n%s\n%s", counts, plan.Stdout, md)
	}
	wantCode(t, rt.run("apply", "--yes"), 0)
	if got := rt.get("a.txt"); got != "v1 a" {
		t.Fatalf("a.txt = %q after the restore", got)
	}

	// The service is back: customers update and create objects.
	rt.put("a.txt", "v2 a")
	rt.put("new.txt", "written after the rebuild")

	plan = rt.run("plan", "--json", "plan.json", "--detailed-exitcode")
	wantCode(t, plan, 0)
	if !strings.Contains(plan.Stdout, "done on record: not run again") {
		t.Errorf("the text plan does not say the restore is done:\n%s", plan.Stdout)
	}
	if doc := readFile(t, filepath.Join(rt.dir, "plan.json")); !strings.Contains(doc, `"action": "done"`) {
		t.Errorf("the plan after a complete rebuild does not show the restore done:\n%s", doc)
	}
	res := rt.run("apply", "--yes", "--json")
	wantCode(t, res, 0)
	if a, n := rt.get("a.txt"), rt.get("new.txt"); a != "v2 a" || n != "written after the rebuild" {
		t.Errorf("a routine apply rolled live data back: a.txt = %q, new.txt = %q\n%s", a, n, res.Stderr)
	}

	// Asked for by name, the restore runs again.
	res = rt.run("apply", "--yes", "--json", "--restore", "uploads")
	wantCode(t, res, 0)
	if a, n := rt.get("a.txt"), rt.get("new.txt"); a != "v1 a" || n != "" {
		t.Errorf("--restore uploads did not bring the point in time back: a.txt = %q, new.txt = %q", a, n)
	}
}

// The lost region goes dark after the copy: the rebuild, stopped at a
// manual step, resumes without reading the source bucket again.
func TestRestoreResumeWithTheSourceBucketGone(t *testing.T) {
	t.Parallel()
	rt := newRestoreTarget(t, "rst-dark")
	replica := rt.bucket + "-replica"
	ctx := context.Background()
	if _, err := rt.s3().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(replica),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest2}}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"x.txt", "y.txt"} {
		if _, err := rt.s3().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(replica), Key: aws.String(k), Body: strings.NewReader("from the replica " + k)}); err != nil {
			t.Fatal(err)
		}
	}
	rt.config("1h", fmt.Sprintf(`restore "uploads" {
  s3_bucket     = %q
  from          = "bucket"
  source_bucket = %q
  stack         = stack.data
  address       = "aws_s3_bucket.uploads"
}
step "handoff" {
  instructions = "Tell the partner team."
  after        = [stack.data]
}
`, rt.bucket, replica))
	wantCode(t, rt.run("apply", "--yes"), 3)
	if got := rt.get("x.txt"); got != "from the replica x.txt" {
		t.Fatalf("x.txt = %q after the copy", got)
	}
	for _, k := range []string{"x.txt", "y.txt"} {
		if _, err := rt.s3().DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(replica), Key: aws.String(k)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := rt.s3().DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(replica)}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, rt.run("confirm", "handoff", "--by", "alice"), 0)
	res := rt.run("apply", "--yes")
	wantCode(t, res, 0)
	if got := rt.get("y.txt"); got != "from the replica y.txt" {
		t.Errorf("y.txt = %q after the resume", got)
	}
}

// What came back is verified once the run's stages are done. Here the
// service, started by then and probed by the health check, deletes an
// object the restore brought back: the verification reports the
// mismatch in the summary, status --json and the events.
func TestRestoreVerificationFindsATamperedBucket(t *testing.T) {
	t.Parallel()
	rt := newRestoreTarget(t, "rst-tamper")
	rt.config("1h", "")
	wantCode(t, rt.run("apply", "--yes"), 0)
	pit := rt.put("a.txt", "v1 a")
	for _, k := range []string{"b.txt", "c.txt"} {
		if at := rt.put(k, "v1 "+k); at.After(pit) {
			pit = at
		}
	}
	testenv.NextSecond(t, pit)
	rt.put("a.txt", "garbage")
	var once sync.Once
	svc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		once.Do(func() {
			_, _ = rt.s3().DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String(rt.bucket), Key: aws.String("b.txt")})
		})
		w.WriteHeader(http.StatusOK)
	}))
	defer svc.Close()
	rt.config("1h", fmt.Sprintf(`restore "uploads" {
  s3_bucket     = %q
  from          = "versions"
  point_in_time = %q
  stack         = stack.data
  address       = "aws_s3_bucket.uploads"
}
check "svc" {
  url     = "%s/healthz"
  timeout = "30s"
}
`, rt.bucket, pit.Format(time.RFC3339), svc.URL))
	res := rt.run("apply", "--yes", "--json", "--events", "events.ndjson")
	wantCode(t, res, 0)
	r := restoreRow(t, applySummary(t, res), "restore.uploads")
	if v := r.Result.Verified; v == nil || v.OK || v.MismatchCount != 1 || v.Checked != 3 || v.Matched != 2 || !strings.Contains(strings.Join(v.Mismatches, " "), "b.txt") {
		t.Errorf("the tampered restore's verification: %+v", v)
	}
	status := rt.run("status", "--json")
	wantCode(t, status, 0)
	if !strings.Contains(status.Stdout, `"mismatch_count": 1`) || !strings.Contains(status.Stdout, `"kind": "mismatch"`) {
		t.Errorf("status --json shows no mismatch:\n%s", status.Stdout)
	}
	if ev := readFile(t, filepath.Join(rt.dir, "events.ndjson")); !strings.Contains(ev, "MISMATCH") || !strings.Contains(ev, "b.txt") {
		t.Errorf("the events say nothing of the mismatch:\n%s", ev)
	}
}

// A replica that was itself behind lost what it had not received by the
// incident: the data loss is measured from its newest write to the
// incident, not from the restore, and judged against the RPO.
func TestRestoreDataLossIsMeasuredAgainstTheIncident(t *testing.T) {
	t.Parallel()
	rt := newRestoreTarget(t, "rst-incident")
	replica := rt.bucket + "-replica"
	ctx := context.Background()
	if _, err := rt.s3().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(replica),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest2}}); err != nil {
		t.Fatal(err)
	}
	if _, err := rt.s3().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(replica), Key: aws.String("x.txt"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	h, err := rt.s3().HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(replica), Key: aws.String("x.txt")})
	if err != nil {
		t.Fatal(err)
	}
	newest := aws.ToTime(h.LastModified).UTC()
	incident := newest.Add(20 * time.Minute) // the replica was 20 minutes behind
	rt.config("15m", fmt.Sprintf(`restore "uploads" {
  s3_bucket     = %q
  from          = "bucket"
  source_bucket = %q
  stack         = stack.data
  address       = "aws_s3_bucket.uploads"
}
`, rt.bucket, replica))
	res := rt.run("apply", "--yes", "--json", "--incident-at", incident.Format(time.RFC3339))
	wantCode(t, res, 0)
	m := restoreRow(t, applySummary(t, res), "restore.uploads").RPO
	if m.DataLossSeconds == nil || *m.DataLossSeconds != 1200 || m.RPOMet || m.IncidentAt == nil || !m.IncidentAt.Equal(incident) {
		t.Errorf("the data loss against the incident: %+v", m)
	}
	if !strings.Contains(res.Stdout, "data loss 20m0s before the incident") {
		t.Errorf("the summary does not say the data loss:\n%s", res.Stdout)
	}
	status := rt.run("status", "--json")
	if !strings.Contains(status.Stdout, `"data_loss_seconds": 1200`) {
		t.Errorf("status --json:\n%s", status.Stdout)
	}
}
