package rebuild

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/stages"
)

func TestSummaryText(t *testing.T) {
	t.Parallel()
	s := &Summary{Project: "p", Total: 3 * time.Hour, RTO: 2 * time.Hour, Stages: []StageSummary{
		{Name: "stack.a", Status: stages.Done, Duration: 90 * time.Second},
		{Name: "stack.b", Status: stages.Failed, Error: "terraform apply failed:\n    Error: boom"},
		{Name: "stack.c", Status: stages.Blocked, Error: "stack.b failed"},
	}}
	var b bytes.Buffer
	s.WriteText(&b)
	out := b.String()
	for _, want := range []string{"stack.a  done     1m30s", "total 3h0m0s of RTO 2h0m0s (150.0%): OVER the recovery time objective", "stack.b failed:\n  terraform apply failed:\n      Error: boom"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	var j bytes.Buffer
	if err := s.WriteJSON(&j); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(j.Bytes(), &doc); err != nil || doc["type"] != "summary" || doc["total_seconds"].(float64) != 10800 {
		t.Errorf("summary JSON: %s (%v)", j.String(), err)
	}
}

func TestProgressPlainAndJSON(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 22, 2, 3, 4, 0, time.UTC)
	var plain bytes.Buffer
	p := NewProgress(&plain, false, false)
	p.now = func() time.Time { return at }
	p.Event(stages.Event{Stage: "stack.a", Status: stages.Running, Time: at}, 0)
	p.Note("stack.a", "applied")
	p.Event(stages.Event{Stage: "stack.a", Status: stages.Failed, Time: at, Err: errors.New("boom")}, 1500*time.Millisecond)
	p.Close()
	want := "02:03:04  stack.a          running\n02:03:04  stack.a          applied\n02:03:04  stack.a          failed in 1.5s\n"
	if plain.String() != want {
		t.Errorf("plain progress:\n%q\nwant\n%q", plain.String(), want)
	}
	var js bytes.Buffer
	p = NewProgress(&js, true, true)
	p.Event(stages.Event{Stage: "state", Status: stages.Done, Time: at}, time.Second)
	p.Close()
	var ev map[string]any
	if err := json.Unmarshal(js.Bytes(), &ev); err != nil || ev["stage"] != "state" || ev["status"] != "done" || ev["seconds"].(float64) != 1 {
		t.Errorf("JSON event: %s (%v)", js.String(), err)
	}
}

func TestPlanReportMarkdown(t *testing.T) {
	t.Parallel()
	rep := &PlanReport{Project: "p", Account: "123456789012", Region: "eu-west-2", Totals: Counts{"create": 3}, Mocked: true, Stages: []*PlanStage{
		{Name: "state", Status: stages.Done, Counts: Counts{"create": 1}, Actions: []PlanAction{{Address: "s3://b", Action: "create", Detail: "state bucket"}}},
		{Name: "stack.a", Status: stages.Done, State: "empty", Counts: Counts{"create": 2}, Mocked: true, MockedInputs: []string{"x = stack.s.outputs.y (mock)"},
			Actions: []PlanAction{{Address: "terraform_data.a", Action: "create"}, {Address: "terraform_data.b", Action: "create"}}},
		{Name: "stack.b", Status: stages.Failed, Counts: Counts{}, Error: "terraform plan failed"},
	}}
	var b bytes.Buffer
	rep.WriteMarkdown(&b)
	md := b.String()
	for _, want := range []string{
		"**The plan failed** for: stack.b.",
		"| `stack.a` | 2 | 0 | 0 | 0 | 0 | no state yet; ⚠️ rests on mocked values |",
		"<details><summary><code>stack.a</code>: 2 to create (no state yet) [rests on mocked values]</summary>",
		"- `+` `s3://b` — state bucket",
		"- mocked input: `x = stack.s.outputs.y (mock)`",
		"```\nterraform plan failed\n```",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestFingerprint(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	stack, module := filepath.Join(dir, "stack"), filepath.Join(dir, "modules", "m")
	for path, text := range map[string]string{
		filepath.Join(stack, "main.tf"):             "module \"m\" {\n  source = \"../modules/m\"\n}\n",
		filepath.Join(stack, ".terraform.lock.hcl"): "# lock\n",
		filepath.Join(module, "main.tf"):            "output \"x\" {\n  value = 1\n}\n",
	} {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	st := &config.Stack{Name: "s", SourceDir: stack}
	vars := map[string]cty.Value{"a": cty.StringVal("1")}
	up := map[string]map[string]string{"net": {"id": "sha256:1"}}
	fp := func() string {
		f, err := stackFingerprint(st, vars, up, "1.11.4", "bucket = \"b\"")
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	base := fp()
	if fp() != base {
		t.Fatal("the fingerprint is not stable")
	}
	changes := map[string]func(){
		"module file": func() {
			_ = os.WriteFile(filepath.Join(module, "main.tf"), []byte("output \"x\" {\n  value = 2\n}\n"), 0o644)
		},
		"lock file": func() { _ = os.WriteFile(filepath.Join(stack, ".terraform.lock.hcl"), []byte("# lock 2\n"), 0o644) },
		"input":     func() { vars = map[string]cty.Value{"a": cty.StringVal("2")} },
		"upstream":  func() { up = map[string]map[string]string{"net": {"id": "sha256:2"}} },
	}
	for what, change := range changes {
		before := fp()
		change()
		if fp() == before {
			t.Errorf("changing the %s did not change the fingerprint", what)
		}
	}
	if !strings.HasPrefix(base, "sha256:") || strings.Contains(base, "1.11.4") {
		t.Errorf("fingerprint %q", base)
	}
}
