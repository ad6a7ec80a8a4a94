package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrebuild/tfrebuild/events"
)

// #23.4: a drill's verdict is an event (its time against the RTO), and
// every event of its teardown names the rebuild it tears down; so do a
// plain destroy's.
func TestDrillVerdictAndTeardownEvents(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, "drillev")
	team := newReceiver(t, http.StatusOK)
	tg.env.Vars["TEAM_WEBHOOK_URL"] = team.srv.URL
	tg.write(drillStacks + `
notify "team" {
  url    = env("TEAM_WEBHOOK_URL")
  on     = ["drill_verdict"]
  format = "slack"
}
`)
	stream := filepath.Join(tg.dir, "events.ndjson")
	wantCode(t, tg.run("drill", "--yes", "--all", "--confirm", "handoff", "--events", stream), 0)
	wantCode(t, tg.run("apply", "--yes", "--events", stream), 3)
	wantCode(t, tg.run("destroy", "--yes", "--events", stream), 0)
	b, err := os.ReadFile(stream)
	if err != nil {
		t.Fatal(err)
	}
	all := runs(t, readEvents(t, string(b)))
	if len(all) != 4 {
		t.Fatalf("want the drill's rebuild and teardown, an apply and a destroy: %d runs", len(all))
	}
	rebuild, teardown := all[0], all[1]
	v := rebuild[len(rebuild)-1]
	if v.Type != events.DrillVerdict || v.Verdict == nil || !v.Verdict.Passed || v.Verdict.TookSeconds <= 0 ||
		v.Verdict.RTOSeconds != 1800 || !v.Verdict.RTOMet || v.Mode != "drill" || v.RunID != rebuild[0].RunID {
		t.Errorf("the drill's rebuild should end with its verdict: %+v %+v", v, v.Verdict)
	}
	// The team hears the verdict, and only that, from the drill.
	if got := team.all(); strings.Count(got, "drill PASSED") != 1 || strings.Count(got, "\"text\"") != 1 {
		t.Errorf("the team's webhook should get the drill's verdict once:\n%s", got)
	}
	started := rebuild[0].RTO.RebuildStarted
	for _, e := range teardown {
		if e.Rebuild == nil || !e.Rebuild.StartedAt.Equal(started) {
			t.Fatalf("a teardown event does not name the rebuild it tears down (began %v): %+v", started, e)
		}
	}
	applied, destroyed := all[2], all[3]
	for _, e := range destroyed {
		if e.Rebuild == nil || !e.Rebuild.StartedAt.Equal(applied[0].RTO.RebuildStarted) || e.Rebuild.StartedAt.Equal(started) {
			t.Fatalf("a destroy event does not name the apply's rebuild: %+v", e)
		}
	}
}
