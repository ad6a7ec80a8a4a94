package ui

import (
	"bytes"
	"strings"
	"testing"

	"github.com/tfrebuild/tfrebuild/outcome"
	"github.com/tfrebuild/tfrebuild/stages"
	"github.com/tfrebuild/tfrebuild/terraform"
)

func TestPlanAttributeDiffs(t *testing.T) {
	t.Parallel()
	attrs := []terraform.AttrChange{
		{Path: "name", Before: `"a"`, After: `"b"`, ForcesReplacement: true},
		{Path: "password", Before: terraform.SensitiveText, After: terraform.SensitiveText},
		{Path: "ports[1]", After: "443"},
		{Path: "old", Before: "1"},
	}
	rep := &outcome.PlanReport{Project: "p", Totals: outcome.Counts{"replace": 1}, Stages: []*outcome.PlanStage{
		{Name: "stack.a", Status: stages.Done, Counts: outcome.Counts{"replace": 1},
			Actions: []outcome.PlanAction{{Address: "x.y", Action: "replace", Attrs: attrs}}}}}
	var text, md, js bytes.Buffer
	WritePlan(&text, rep)
	for _, want := range []string{"  -/+ x.y\n        ~ name: \"a\" → \"b\" (forces replacement)\n", "~ password: (sensitive value) → (sensitive value)", "+ ports[1]: 443", "- old: 1"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text plan lacks %q:\n%s", want, text.String())
		}
	}
	WritePlanMarkdown(&md, rep)
	for _, want := range []string{"```diff\n  - name = \"a\" # forces replacement\n  + name = \"b\" # forces replacement\n", "  + ports[1] = 443\n", "  - old = 1\n"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("Markdown plan lacks %q:\n%s", want, md.String())
		}
	}
	if err := WritePlanJSON(&js, rep); err != nil || strings.Contains(js.String(), "password") {
		t.Errorf("the JSON plan holds no values: %v\n%s", err, js.String())
	}
}
