package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// #23.6: a sensitive output wired into a variable its stack does not
// declare sensitive (join's blue_url, echoed by its output "active")
// stays hidden in everything tfrebuild prints: validate warns about the
// wiring; the text plan, plan --markdown, the GitHub step summary, apply's
// summary and output never show the value.
func TestSensitiveOutputWiredIntoAPlainVariableStaysHidden(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, "sensewire")
	stepSummary := filepath.Join(tg.dir, "step-summary.md")
	tg.env.Vars["GITHUB_STEP_SUMMARY"] = stepSummary
	config := `
stack "base" {
  source = "{{stacks}}/base"
  inputs = { name = "%s" }
}
stack "join" {
  source = "{{stacks}}/join"
  inputs = { blue_url = stack.base.outputs.token }
}
`
	tg.write(strings.ReplaceAll(config, "%s", "core"))
	token := sha256hex("core-token")

	res := tg.run("validate")
	wantCode(t, res, 0)
	if !strings.Contains(res.Stderr+res.Stdout, "sensitive") || !strings.Contains(res.Stderr+res.Stdout, "blue_url") {
		t.Errorf("validate should warn that a sensitive output feeds a plain variable:\n%s\n%s", res.Stdout, res.Stderr)
	}
	var seen []string
	look := func(what, text string) {
		t.Helper()
		seen = append(seen, what)
		if strings.Contains(text, token) || strings.Contains(text, sha256hex("core2-token")) {
			t.Errorf("%s shows the sensitive value:\n%s", what, text)
		}
	}
	res = tg.run("apply", "--yes")
	wantCode(t, res, 0)
	look("apply", res.Stdout+res.Stderr)
	res = tg.run("output")
	wantCode(t, res, 0)
	look("output", res.Stdout+res.Stderr)
	res = tg.run("output", "join", "--json")
	wantCode(t, res, 0)
	look("output --json", res.Stdout+res.Stderr)

	// A change upstream: the plan of join shows its input changing.
	tg.write(strings.ReplaceAll(config, "%s", "core2"))
	md := filepath.Join(tg.dir, "plan.md")
	res = tg.run("plan", "--markdown", md)
	look("plan", res.Stdout+res.Stderr)
	b, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	look("plan --markdown", string(b))
	res = tg.run("plan", "--json", filepath.Join(tg.dir, "plan.json"))
	look("plan --json run", res.Stdout+res.Stderr)
	if b, err = os.ReadFile(filepath.Join(tg.dir, "plan.json")); err == nil {
		look("plan --json", string(b))
	}
	if b, err = os.ReadFile(stepSummary); err == nil {
		look("step summary", string(b))
	}
	res = tg.run("apply", "--yes")
	wantCode(t, res, 0)
	look("second apply", res.Stdout+res.Stderr)
	res = tg.run("status")
	look("status", res.Stdout+res.Stderr)
	res = tg.run("output", "join")
	look("output join", res.Stdout+res.Stderr)
	if !strings.Contains(res.Stdout, "(sensitive)") {
		t.Errorf("output should mask join's value that came from a sensitive output:\n%s", res.Stdout)
	}
	b, _ = os.ReadFile(filepath.Join(tg.dir, ".tfrebuild", "checkpoint.json"))
	look("checkpoint", string(b))
	t.Logf("looked at %s", strings.Join(seen, ", "))
}
