package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

// TestResumeOnAnotherMachine: a rebuild with the DynamoDB checkpoint
// starts on one machine (its HOME, its clone) and fails at blue; a
// colleague fixes blue and resumes from another machine (another HOME, a
// fresh clone). The stack done on the first machine is skipped as up to
// date, not applied again: the key of the checkpoint's hashes lives with
// the target, not on the first laptop.
func TestResumeOnAnotherMachine(t *testing.T) {
	t.Parallel()
	first := newTarget(t, "twomachines")
	first.clone(false)
	wantCode(t, first.run("apply", "--yes"), 1)

	env, err := testenv.NewEnv(first.env.Moto, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	second := &target{t: t, env: env, dir: t.TempDir(), project: first.project}
	second.clone(true)
	res := second.run("apply", "--yes")
	wantCode(t, res, 0)
	if l := lineOf(res.Stderr, "stack.shared", "up to date"); !strings.Contains(l, "skipped") {
		t.Errorf("stack.shared, done on the first machine, should be skipped as up to date on the second:\n%s", res.Stderr)
	}
	if second.state("blue") == nil {
		t.Error("blue was not applied on the second machine")
	}
}

// clone lays out a clone of the config and its stacks in the target's
// folder: its own copy of the stack code, as a fresh checkout has.
func (tg *target) clone(blueFixed bool) {
	tg.t.Helper()
	for _, s := range []string{"base", "app"} {
		copyTree(tg.t, filepath.Join("testdata", "stacks", s), filepath.Join(tg.dir, "stacks", s))
	}
	writeFile(tg.t, filepath.Join(tg.dir, "rebuild.hcl"), tg.header(testenv.Account)+fmt.Sprintf(`
checkpoint {
  store = "dynamodb"
}
stack "shared" {
  source = "stacks/base"
  inputs = { name = "core" }
}
stack "blue" {
  source = "stacks/app"
  inputs = {
    colour  = "blue"
    network = stack.shared.outputs.network
    token   = stack.shared.outputs.token
    fail    = %t
  }
}
`, !blueFixed))
}
