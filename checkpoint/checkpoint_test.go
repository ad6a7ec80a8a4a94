package checkpoint_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/stages"
)

func TestRecordsAndCompleteness(t *testing.T) {
	t.Parallel()
	c := checkpoint.New("p", "123456789012", "eu-west-2")
	if c.Lookup("state") != nil || (*checkpoint.Checkpoint)(nil).Lookup("state") != nil {
		t.Error("Lookup created a record")
	}
	if r := c.Stage("state"); r.Status != stages.Pending || c.Lookup("state") != r {
		t.Errorf("Stage: %+v", r)
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	end := start.Add(90 * time.Second)
	r := &checkpoint.StageRecord{StartedAt: &start, FinishedAt: &end}
	if r.Elapsed() != 90*time.Second || (&checkpoint.StageRecord{StartedAt: &start}).Elapsed() != 0 {
		t.Error("Elapsed")
	}
	p := &stages.Pipeline{Stages: []*stages.Stage{{Name: "state"}, {Name: "stack.green", Skipped: true}}}
	if c.Complete(p) {
		t.Error("a pending stage makes it incomplete")
	}
	c.Stage("state").Status = stages.Done
	if !c.Complete(p) {
		t.Error("every stage that runs is done: complete")
	}
	f := checkpoint.Finding{Kind: checkpoint.Drift, Address: "s3://b", Message: "versioning is off"}
	if f.String() != "drift s3://b: versioning is off" {
		t.Errorf("finding: %s", f)
	}
	if err := checkpoint.CheckSchema(&checkpoint.Checkpoint{Schema: 99}, "here"); err == nil || !strings.Contains(err.Error(), "here has schema 99") {
		t.Errorf("CheckSchema: %v", err)
	}
}

// A checkpoint written before attempt histories and runs existed loads
// with its attempt count and no history; NewRebuild starts a new clock
// and forgets the old rebuild's attempts, not what is built.
func TestOldFilesLoadAndNewRebuildResetsTheClock(t *testing.T) {
	t.Parallel()
	old := `{"schema":1,"project":"p","started_at":"2026-01-01T00:00:00Z","stages":{"stack.a":{"status":"done","attempts":2,"fingerprint":"f"}}}`
	var c checkpoint.Checkpoint
	if err := json.Unmarshal([]byte(old), &c); err != nil {
		t.Fatal(err)
	}
	r := c.Stages["stack.a"]
	if r.Attempts != 2 || r.History != nil || r.LastAttempt() != nil || c.Runs != nil {
		t.Errorf("old record: %+v", r)
	}
	now := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	c.Runs = []checkpoint.Run{{RunID: "x", StartedAt: now}}
	r.History = []checkpoint.Attempt{{StartedAt: now}}
	c.NewRebuild(now, nil)
	if !c.StartedAt.Equal(now) || c.Runs != nil || r.Attempts != 0 || r.History != nil || r.Fingerprint != "f" || r.Status != stages.Done {
		t.Errorf("after NewRebuild: %+v %+v", c, r)
	}
	c.EndRebuild()
	if !c.StartedAt.IsZero() {
		t.Error("EndRebuild kept the clock")
	}
	end := now.Add(time.Minute)
	if (checkpoint.Run{LastSeen: now}).End() != now || (checkpoint.Run{LastSeen: now, FinishedAt: &end}).End() != end {
		t.Error("Run.End")
	}
}
