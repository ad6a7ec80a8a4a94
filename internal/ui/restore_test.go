package ui

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/outcome"
	"github.com/tfrebuild/tfrebuild/restore"
	"github.com/tfrebuild/tfrebuild/stages"
	"github.com/tfrebuild/tfrebuild/timeline"
)

func restoreRecord(age time.Duration) *checkpoint.Restore {
	at := time.Date(2026, 11, 25, 6, 0, 0, 0, time.UTC)
	res := restore.Result{Kind: restore.KindDynamoDB, Target: "orders", Source: "backup arn:b", Outcome: restore.Restored,
		RecoveryPoint: &at, RestoredAt: at.Add(age)}
	return &checkpoint.Restore{Result: res, RPO: restore.Measure(&res, 15*time.Minute)}
}

func TestSummaryShowsDataAgeAgainstRPO(t *testing.T) {
	t.Parallel()
	sum := &outcome.Summary{Project: "p", Stages: []outcome.StageSummary{
		{Name: "restore.orders", Status: stages.Done, Restore: restoreRecord(4 * time.Minute)},
		{Name: "restore.old", Status: stages.Done, Restore: restoreRecord(2 * time.Hour)},
		{Name: "stack.data", Status: stages.Done},
	}}
	var b bytes.Buffer
	WriteSummary(&b, sum)
	out := b.String()
	for _, want := range []string{
		"restore.orders: restored orders from backup arn:b; recovery point 2026-11-25T06:00:00Z, data age 4m0s (RPO 15m0s: within)\n",
		"restore.old: restored orders from backup arn:b; recovery point 2026-11-25T06:00:00Z, data age 2h0m0s (RPO 15m0s: OVER the recovery point objective)  WARNING\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	b.Reset()
	if err := WriteSummaryJSON(&b, sum); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Stages []struct {
			Restore *checkpoint.Restore `json:"restore"`
		} `json:"stages"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil || doc.Stages[1].Restore == nil || doc.Stages[1].Restore.RPO.RPOMet || *doc.Stages[1].Restore.RPO.DataAgeSeconds != 7200 {
		t.Errorf("summary JSON %s: %v", b.String(), err)
	}
}

func TestPlanShowsRestores(t *testing.T) {
	t.Parallel()
	at := time.Now().Add(-time.Hour)
	pl := restore.Plan{Kind: restore.KindS3, Target: "uploads", Source: "s3://uploads versions", RecoveryPoint: &at, Action: restore.ActionRestore,
		TargetExists: true, TargetHasData: true, Objects: &restore.ObjectCounts{Restored: 2, Unchanged: 41, Deleted: 5}}
	rep := &outcome.PlanReport{Project: "p", Totals: outcome.Counts{"restore": 1}, Stages: []*outcome.PlanStage{{
		Name: "restore.uploads", Status: stages.Done, Counts: outcome.Counts{"restore": 1},
		Actions: []outcome.PlanAction{{Address: "s3_bucket uploads", Action: "restore", Detail: "from s3://uploads versions"}},
		Restore: &outcome.RestorePlan{Plan: pl, Expected: restore.Expected(&pl, 15*time.Minute, time.Now(), time.Time{})},
	}}}
	var b bytes.Buffer
	WritePlan(&b, rep)
	out := b.String()
	for _, want := range []string{"restore.uploads: restore uploads: target exists with data; 2 objects to restore, 41 unchanged, 5 to hide; expected recovery point ",
		"(RPO 15m0s: OVER the recovery point objective)", "  R   s3_bucket uploads: from s3://uploads versions", "Total: 1 to restore."} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}
	b.Reset()
	WritePlanMarkdown(&b, rep)
	if !strings.Contains(b.String(), "| `restore.uploads` | 0 | 0 | 0 | 0 | 0 | restore: 2 objects to restore, 41 unchanged, 5 to hide | restore uploads: target exists with data;") ||
		!strings.Contains(b.String(), "| stage | create | change | replace | destroy | drift | restore | notes |") {
		t.Errorf("markdown:\n%s", b.String())
	}
}

func TestStatusShowsRestores(t *testing.T) {
	t.Parallel()
	st := &timeline.Status{Project: "p", Stages: []timeline.StageStatus{{Name: "restore.orders", Status: stages.Done, Restore: restoreRecord(time.Minute)}}}
	var b bytes.Buffer
	WriteStatus(&b, st)
	if !strings.Contains(b.String(), "restore.orders: restored orders from backup arn:b; recovery point 2026-11-25T06:00:00Z, data age 1m0s (RPO 15m0s: within)") {
		t.Errorf("status:\n%s", b.String())
	}
}

// A table restore's plan says how many items it brings back: exactly from
// a backup, approximately from a live table.
func TestPlanCountsTableItems(t *testing.T) {
	t.Parallel()
	n := int64(1200)
	for _, tc := range []struct {
		approx bool
		want   string
	}{{false, "1200 items to restore"}, {true, "about 1200 items to restore"}} {
		pl := restore.Plan{Kind: restore.KindDynamoDB, Target: "orders", Action: restore.ActionRestore, Items: &n, ItemsApproximate: tc.approx}
		rep := &outcome.PlanReport{Project: "p", Stages: []*outcome.PlanStage{{Name: "restore.orders", Status: stages.Done,
			Counts: outcome.Counts{"restore": 1}, Restore: &outcome.RestorePlan{Plan: pl}}}}
		var b bytes.Buffer
		WritePlan(&b, rep)
		if !strings.Contains(b.String(), "restore orders: target missing; "+tc.want+";") {
			t.Errorf("text plan lacks %q:\n%s", tc.want, b.String())
		}
		b.Reset()
		WritePlanMarkdown(&b, rep)
		if !strings.Contains(b.String(), "| restore: "+tc.want+" |") {
			t.Errorf("markdown lacks %q:\n%s", tc.want, b.String())
		}
	}
}
