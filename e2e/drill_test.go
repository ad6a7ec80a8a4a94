package e2e

import (
	"strings"
	"testing"
)

const drillStacks = `
stack "base" {
  source = "{{stacks}}/base"
  inputs = { name = "core" }
}
step "handoff" {
  instructions = "Tell the partner team."
  after        = [stack.base]
}
`

// #11.2: a drill starts from nothing, a drill that waits at a manual step
// failed (exit 1, with the reason), --confirm pre-confirms the step, and a
// drill refuses a built target unless --fresh.
func TestDrillVerdictsAndFreshStart(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, "drillwait")
	tg.write(drillStacks)

	res := tg.run("drill", "--yes", "--all")
	wantCode(t, res, 1)
	if !strings.Contains(res.Stdout, "FAILED: the rebuild stopped at the manual step step.handoff") || !strings.Contains(res.Stdout, "--confirm handoff") {
		t.Errorf("a drill that waits should fail and say why:\n%s", res.Stdout)
	}
	if tg.bucketExists() {
		t.Fatal("the failed drill did not tear down")
	}

	res = tg.run("drill", "--yes", "--all", "--confirm", "handoff")
	wantCode(t, res, 0)
	if !strings.Contains(res.Stdout, "PASSED") {
		t.Errorf("a pre-confirmed drill should pass:\n%s", res.Stdout)
	}

	// A built target: the drill refuses, and the confirmation of that
	// rebuild does not carry over to a drill.
	res = tg.run("apply", "--yes")
	wantCode(t, res, 3)
	if !strings.Contains(res.Stderr, "continue the rebuild with:\n  tfrebuild apply --config rebuild.hcl\n") {
		t.Errorf("a waiting apply should say how to continue:\n%s", res.Stderr)
	}
	wantCode(t, tg.run("confirm", "handoff"), 0)
	wantCode(t, tg.run("apply", "--yes"), 0)
	res = tg.run("drill", "--yes", "--all")
	wantCode(t, res, 1)
	if !strings.Contains(res.Stderr, "the target is not empty") || !strings.Contains(res.Stderr, "--fresh") || strings.Contains(res.Stdout, "PASSED") {
		t.Errorf("a drill on a built target should be refused:\nstdout:\n%s\nstderr:\n%s", res.Stdout, res.Stderr)
	}
	if tg.state("base") == nil {
		t.Error("the refused drill touched the target")
	}
	res = tg.run("drill", "--yes", "--all", "--fresh")
	wantCode(t, res, 1)
	if !strings.Contains(res.Stdout, "tearing down what exists first") || !strings.Contains(res.Stdout, "FAILED: the rebuild stopped at the manual step") {
		t.Errorf("--fresh should tear down, and the old confirmation not count:\n%s", res.Stdout)
	}
}
