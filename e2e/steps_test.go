package e2e

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// A check polls a URL taken from a stack output; a manual step stops the
// run with exit code 3 until it is confirmed.
func TestCheckThenManualStep(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Unhealthy for the first two polls, as a service still starting.
		if hits.Add(1) < 3 || r.URL.Path != "/healthz" {
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	tg := newTarget(t, "steps")
	tg.write(`
stack "base" {
  source = "{{stacks}}/base"
  inputs = { name = "` + strings.TrimPrefix(srv.URL, "http://") + `" }
}
check "health" {
  url      = replace("http://${stack.base.outputs.network}/healthz", "net-", "")
  interval = "100ms"
  timeout  = "20s"
}
step "handoff" {
  instructions = "Give the new API key to the partner team."
  after        = [check.health]
}
`)
	res := tg.run("apply", "--yes")
	wantCode(t, res, 3)
	if hits.Load() < 3 {
		t.Errorf("the check did not poll until healthy (%d requests)", hits.Load())
	}
	if !strings.Contains(res.Stderr, "Give the new API key to the partner team.") || !strings.Contains(res.Stderr, "tfrebuild confirm handoff") {
		t.Errorf("the step's instructions and the confirm command should be shown:\n%s", res.Stderr)
	}
	st := tg.run("status", "--json")
	var status struct {
		Next []string `json:"next"`
	}
	if err := json.Unmarshal([]byte(st.Stdout), &status); err != nil || len(status.Next) != 1 || status.Next[0] != "step.handoff" {
		t.Errorf("status next = %v (%v)", status.Next, err)
	}
	wantCode(t, tg.run("confirm", "handoff", "--by", "alice"), 0)
	res = tg.run("apply", "--yes")
	wantCode(t, res, 0)
	c := tg.checkpoint()
	if r := c.Stages["step.handoff"]; r.Status != "done" || r.ConfirmedBy != "alice" || r.ConfirmedAt == nil {
		t.Errorf("step record: %+v", r)
	}
	wantCode(t, tg.run("confirm", "nope"), 1)
}
