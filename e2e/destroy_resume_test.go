package e2e

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// stageStatuses reads `status --json` into stage name → status.
func stageStatuses(t *testing.T, tg *target) map[string]string {
	t.Helper()
	res := tg.run("status", "--json")
	wantCode(t, res, 0)
	var st struct {
		Stages []struct{ Name, Status string }
	}
	if err := json.Unmarshal([]byte(res.Stdout), &st); err != nil {
		t.Fatalf("status --json: %v\n%s", err, res.Stdout)
	}
	out := map[string]string{}
	for _, s := range st.Stages {
		out[s.Name] = s.Status
	}
	return out
}

// #23.2: a destroy that fails half-way (blue's destroy-time provisioner
// fails until a file exists) names its cause and the exact command that
// continues; status shows what was destroyed, what failed and what is
// still there; once the cause is gone the same command runs to the end,
// past the stacks already destroyed and their emptied outputs.
func TestDestroyResumesAfterAHalfWayFailure(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, "destroyresume")
	gate := filepath.Join(tg.dir, "gate-open")
	tg.write(fmt.Sprintf(`
stack "shared" {
  source = "{{stacks}}/gate"
  inputs = { name = "shared" }
}
stack "blue" {
  source = "{{stacks}}/gate"
  inputs = { name = stack.shared.outputs.url, gate = %q }
}
stack "green" {
  source = "{{stacks}}/gate"
  inputs = { name = stack.shared.outputs.url }
}
stack "link" {
  source = "{{stacks}}/join"
  inputs = { blue_url = stack.blue.outputs.url, green_url = stack.green.outputs.url }
}
`, gate))
	wantCode(t, tg.run("apply", "--yes"), 0)

	res := tg.run("destroy", "--yes")
	wantCode(t, res, 1)
	if !strings.Contains(res.Stderr, "the gate file "+gate+" is missing") {
		t.Errorf("the failure should name its cause:\n%s", res.Stderr)
	}
	if !strings.Contains(res.Stderr, "tfrebuild destroy --config rebuild.hcl --yes") {
		t.Errorf("the failure should end with the exact command that continues:\n%s", res.Stderr)
	}
	want := map[string]string{"stack.link": "destroyed", "stack.green": "destroyed", "stack.blue": "failed", "stack.shared": "blocked"}
	if got := stageStatuses(t, tg); !sameStatuses(got, want) {
		t.Errorf("status after the failed destroy: %v, want %v", got, want)
	}

	writeFile(t, gate, "open")
	res = tg.run("destroy", "--yes")
	wantCode(t, res, 0)
	if strings.Contains(res.Stderr, "Unsupported attribute") || strings.Contains(res.Stderr, "invalid config") {
		t.Errorf("the second destroy tripped over the stacks already destroyed:\n%s", res.Stderr)
	}
	for _, s := range []string{"shared", "blue", "green", "link"} {
		if st := tg.state(s); st != nil && len(st.Resources) != 0 {
			t.Errorf("stack %s still holds %d resources", s, len(st.Resources))
		}
	}
	want = map[string]string{"stack.link": "destroyed", "stack.green": "destroyed", "stack.blue": "destroyed", "stack.shared": "destroyed"}
	if got := stageStatuses(t, tg); !sameStatuses(got, want) {
		t.Errorf("status after the second destroy: %v, want %v", got, want)
	}
}

func sameStatuses(got, want map[string]string) bool {
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}
