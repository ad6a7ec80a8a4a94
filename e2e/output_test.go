package e2e

import (
	"encoding/json"
	"strings"
	"testing"
)

// #11.10: output prints stack outputs from their state, sensitive values
// masked unless --show-sensitive.
func TestOutputMasksSensitiveValues(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, "outputs")
	tg.write(`
stack "base" {
  source = "{{stacks}}/base"
  inputs = { name = "core" }
}
stack "later" {
  source   = "{{stacks}}/base"
  optional = true
  inputs   = { name = "later" }
}
`)
	wantCode(t, tg.run("apply", "--yes"), 0)
	token := sha256hex("core-token")

	res := tg.run("output")
	wantCode(t, res, 0)
	if !strings.Contains(res.Stdout, `network = "net-`) || !strings.Contains(res.Stdout, "token   = (sensitive)") ||
		!strings.Contains(res.Stdout, "# stack.later\n(not applied") || strings.Contains(res.Stdout, token) {
		t.Errorf("output:\n%s", res.Stdout)
	}

	res = tg.run("output", "base", "--json")
	wantCode(t, res, 0)
	var outs map[string]struct {
		Sensitive bool            `json:"sensitive"`
		Value     json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal([]byte(res.Stdout), &outs); err != nil {
		t.Fatalf("output --json: %v\n%s", err, res.Stdout)
	}
	if !outs["token"].Sensitive || outs["token"].Value != nil || !strings.HasPrefix(string(outs["network"].Value), `"net-`) {
		t.Errorf("output base --json:\n%s", res.Stdout)
	}

	res = tg.run("output", "base", "--show-sensitive")
	wantCode(t, res, 0)
	if !strings.Contains(res.Stdout, `token   = "`+token+`"`) {
		t.Errorf("--show-sensitive should print the token:\n%s", res.Stdout)
	}

	res = tg.run("output", "nope")
	wantCode(t, res, 1)
	if !strings.Contains(res.Stderr, `there is no stack "nope"`) {
		t.Errorf("unknown stack:\n%s", res.Stderr)
	}
	wantCode(t, tg.run("output", "later"), 1)
}
