package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/history"
	"github.com/tfrebuild/tfrebuild/stages"
	"github.com/tfrebuild/tfrebuild/timeline"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const secret = "s3cr3t-token-value"

// fixture is the report of timeline's recorded rebuild (base 10m, app
// failed once then applied, a check, a step a person confirmed) with a
// secret planted in the failed attempt's error, as if the engine had
// missed it.
func fixture(t *testing.T, name string, hist []history.Record) *Report {
	t.Helper()
	dir := filepath.Join("..", "timeline", "testdata", "rebuild")
	cfg, diags := config.Load(filepath.Join(dir, "rebuild.hcl"))
	if diags.HasErrors() {
		t.Fatal(config.DiagnosticsError(diags))
	}
	b, err := os.ReadFile(filepath.Join(dir, name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var c checkpoint.Checkpoint
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	c.Stages["stack.app"].History[0].Error = "apply failed: token " + secret + " refused"
	c.Stages["stack.app"].Changes = []checkpoint.ResourceChange{{Address: "aws_ssm_parameter.url", Action: "create", Repaired: true}, {Address: "aws_s3_bucket.b", Action: "update"}}
	c.Run = &checkpoint.Holder{RunID: c.RunID, User: "ann", Host: "ops-1"}
	p, err := stages.Build(cfg, c.With)
	if err != nil {
		t.Fatal(err)
	}
	now := c.StartedAt.Add(2 * time.Hour)
	st := timeline.Read(cfg, &c, p, nil, now)
	return Build(st, &c, p, hist, Meta{ConfigHash: "sha256:0123abcd", Now: now, Redact: events.NewRedactor(secret).String})
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run go test ./report -update and review the diff\n--- got:\n%s", name, got)
	}
}

func TestGoldenMarkdownAndJSON(t *testing.T) {
	for _, name := range []string{"2-waiting", "4-complete"} {
		r := fixture(t, name, nil)
		var md, js bytes.Buffer
		if err := WriteMarkdown(&md, r); err != nil {
			t.Fatal(err)
		}
		if err := WriteJSON(&js, r); err != nil {
			t.Fatal(err)
		}
		golden(t, name+".md", md.Bytes())
		golden(t, name+".json", js.Bytes())
		for _, b := range [][]byte{md.Bytes(), js.Bytes()} {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s: the secret is in the report", name)
			}
		}
	}
}

var external = regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}|<script|<link|@import|url\(`)

func TestTheHTMLPageIsSelfContainedAndComplete(t *testing.T) {
	r := fixture(t, "4-complete", nil)
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if dst := os.Getenv("TFREBUILD_REPORT_HTML"); dst != "" { // docs/img/report.png is a screenshot of it
		if err := os.WriteFile(dst, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if m := external.FindString(page); m != "" {
		t.Errorf("the page refers to something outside it: %q", m)
	}
	if strings.Contains(page, secret) {
		t.Error("the secret is in the page")
	}
	for _, want := range []string{"<svg role=\"img\"", "<title id=\"gantt-title\">", "<desc id=\"gantt-desc\">", CriticalColour,
		"Waiting for a person", "Lost to failed attempts", "Idle between runs", "stack.app", "step.handoff", "<th scope=\"col\">",
		"failed", "[redacted]", "repaired drift", "sha256:0123abcd", "ann", "ops-1", "Confirmed by"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	// Every attempt is a bar: three of stack.app's (failed, applied, up to date).
	if n := strings.Count(page, "<title>stack.app: "); n != 3 {
		t.Errorf("%d bars for stack.app, want 3", n)
	}
}

func TestTrend(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC)
	var recs []history.Record
	for i, app := range []float64{60, 62, 120} {
		start := t0.AddDate(0, 0, i)
		recs = append(recs, history.Record{Kind: history.Drill, RunID: "r" + string(rune('1'+i)), StartedAt: start, FinishedAt: start.Add(time.Duration(30+app) * time.Second),
			Passed: true, Verdict: "PASSED", Clock: &events.RTO{ElapsedSeconds: 30 + app},
			Stages: []history.StageTime{{Stage: "stack.base", Status: stages.Done, Seconds: 30}, {Stage: "stack.app", Status: stages.Done, Seconds: app}}})
	}
	nodes := []history.Node{{Name: "stack.base"}, {Name: "stack.app", Deps: []string{"stack.base"}}}
	tr := BuildTrend("p", time.Hour, nodes, recs)
	if len(tr.Points) != 3 || len(tr.Points[2].Regressions) != 1 || tr.Points[2].Regressions[0].Stage != "stack.app" || tr.Prediction.Runs != 3 {
		t.Fatalf("trend %+v", tr)
	}
	var h, md bytes.Buffer
	if err := WriteTrendHTML(&h, tr); err != nil {
		t.Fatal(err)
	}
	if err := WriteTrendMarkdown(&md, tr); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(h.String(), `<circle class="point"`); n != 3 {
		t.Errorf("%d points in the chart, want 3", n)
	}
	if !strings.Contains(h.String(), "REGRESSION stack.app in run r3") || external.MatchString(h.String()) {
		t.Errorf("trend page:\n%s", h.String())
	}
	golden(t, "trend.md", md.Bytes())
}
