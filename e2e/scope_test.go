package e2e

import (
	"strings"
	"testing"
)

// #11.1: a resume without the --with of the rebuild in progress is refused
// with the exact command to continue, and the "apply again" hint repeats
// the flags that matter.
func TestAResumeKeepsItsScope(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, "scoperesume")
	failGreen := strings.Replace(slowStacks(tg.project, false, 0), `colour        = "green"`, "colour        = \"green\"\n    fail          = true", 1)
	tg.write(failGreen)
	res := tg.run("apply", "--yes", "--with", "green")
	wantCode(t, res, 1)
	want := "tfrebuild apply --config rebuild.hcl --with green"
	if !strings.Contains(res.Stderr, want) {
		t.Errorf("the resume hint should be %q:\n%s", want, res.Stderr)
	}
	tg.write(slowStacks(tg.project, false, 0))
	res = tg.run("apply", "--yes")
	wantCode(t, res, 1)
	if !strings.Contains(res.Stderr, "in progress with --with green") || !strings.Contains(res.Stderr, want) || !strings.Contains(res.Stderr, "--change-scope") {
		t.Errorf("a resume without --with green should be refused with %q:\n%s", want, res.Stderr)
	}
	if c := tg.checkpoint(); len(c.With) != 1 || c.With[0] != "green" {
		t.Errorf("the refused resume changed the checkpoint's scope: %v", c.With)
	}
	wantCode(t, tg.run("apply", "--yes", "--with", "green"), 0)
	if tg.state("green") == nil {
		t.Error("green was not built by the resume")
	}
}
