package checkpoint_test

import (
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
