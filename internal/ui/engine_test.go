package ui

import (
	"bytes"
	"strings"
	"testing"

	"github.com/tfrebuild/tfrebuild/outcome"
	"github.com/tfrebuild/tfrebuild/timeline"
)

func TestReportsPrintTheEngine(t *testing.T) {
	t.Parallel()
	const engine = "opentofu 1.12.6"
	var b bytes.Buffer
	WriteSummary(&b, &outcome.Summary{Project: "p", Engine: engine})
	WritePlan(&b, &outcome.PlanReport{Project: "p", Region: "eu-west-2", Engine: engine})
	WritePlanMarkdown(&b, &outcome.PlanReport{Project: "p", Region: "eu-west-2", Engine: engine})
	WriteStatus(&b, &timeline.Status{Project: "p", Engine: engine})
	if err := WriteSummaryJSON(&b, &outcome.Summary{Project: "p", Engine: engine}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"engine: " + engine + "\n", "eu-west-2 with " + engine, "`eu-west-2` with `" + engine + "`", `"engine":"` + engine + `"`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("no %q in:\n%s", want, b.String())
		}
	}
	if n := strings.Count(b.String(), "engine: "+engine); n != 2 {
		t.Errorf("summary and status should each print the engine once, got %d:\n%s", n, b.String())
	}
}
