package e2e

import (
	"crypto/sha1"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// #11.10: the text and Markdown plans show attribute-level diffs, as
// Atlantis does, with sensitive values masked.
func TestPlanShowsAttributeDiffs(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, "plandiff")
	stacks := func(colour, token string) string {
		return `
stack "app" {
  source = "{{stacks}}/app"
  inputs = {
    colour  = "` + colour + `"
    network = "net-1"
    token   = "` + token + `"
  }
}
`
	}
	tg.write(stacks("blue", "tok-1"))
	wantCode(t, tg.run("apply", "--yes"), 0)
	tg.write(stacks("azure", "tok-2"))
	md := filepath.Join(tg.dir, "plan.md")
	res := tg.run("plan", "--markdown", md, "--detailed-exitcode")
	wantCode(t, res, 2)
	for _, want := range []string{
		`~ input.colour: "blue" → "azure"`,
		`~ input.token: (sensitive value) → (sensitive value)`,
	} {
		if !strings.Contains(res.Stdout, want) {
			t.Errorf("the text plan lacks %q:\n%s", want, res.Stdout)
		}
	}
	b, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"```diff", `- input.colour = "blue"`, `+ input.colour = "azure"`, `+ input.token = (sensitive value)`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the Markdown plan lacks %q:\n%s", want, b)
		}
	}
	for _, tok := range []string{"tok-1", "tok-2"} {
		sum := sha1.Sum([]byte(tok))
		for where, text := range map[string]string{"stdout": res.Stdout, "stderr": res.Stderr, "markdown": string(b)} {
			if strings.Contains(text, tok) || strings.Contains(text, hex.EncodeToString(sum[:])) {
				t.Errorf("a sensitive value appears in the %s plan:\n%s", where, text)
			}
		}
	}
}
