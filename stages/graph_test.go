package stages

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrebuild/tfrebuild/config"
)

func loadExample(t *testing.T) *config.Config {
	t.Helper()
	cfg, diags := config.Load(filepath.Join("..", "examples", "profile-api", "rebuild.hcl"))
	if diags.HasErrors() {
		t.Fatal(config.DiagnosticsError(diags))
	}
	return cfg
}

func names(p *Pipeline) []string {
	var out []string
	for _, s := range p.Stages {
		out = append(out, s.Name)
	}
	return out
}

func TestBuildExample(t *testing.T) {
	t.Parallel()
	cfg := loadExample(t)
	p, err := Build(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "preflight state registries stack.shared stack.blue stack.green stack.link"
	if got := strings.Join(names(p), " "); got != want {
		t.Errorf("order = %s, want %s", got, want)
	}
	if !p.Get("stack.green").Skipped {
		t.Error("green is optional and should be skipped without --with")
	}
	if got := p.Get("stack.link").Deps; strings.Join(got, ",") != "state,stack.blue" {
		t.Errorf("link deps without green = %v", got)
	}
	p, err = Build(cfg, []string{"green"})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Get("stack.link").Deps; strings.Join(got, ",") != "state,stack.blue,stack.green" {
		t.Errorf("link deps with green = %v", got)
	}
	if _, err := Build(cfg, []string{"blue"}); err == nil {
		t.Error("--with a non-optional stack should be refused")
	}
	if _, err := Build(cfg, []string{"purple"}); err == nil {
		t.Error("--with an unknown stack should be refused")
	}
}

// renderAll builds the full pipeline of cfg and renders it as DOT, Mermaid
// and the runbook.
func renderAll(t *testing.T, cfg *config.Config) (dot, mermaid, runbook bytes.Buffer) {
	t.Helper()
	p, err := Build(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteDOT(&dot, p); err != nil {
		t.Fatal(err)
	}
	if err := WriteMermaid(&mermaid, p); err != nil {
		t.Fatal(err)
	}
	if err := WriteRunbook(&runbook, cfg, p); err != nil {
		t.Fatal(err)
	}
	return dot, mermaid, runbook
}

func TestRenderers(t *testing.T) {
	t.Parallel()
	cfg := loadExample(t)
	dot, mm, rb := renderAll(t, cfg)
	for _, want := range []string{`"stack.shared" -> "stack.blue";`, `"stack.green" [label="stack.green", style=dashed];`} {
		if !strings.Contains(dot.String(), want) {
			t.Errorf("DOT lacks %s:\n%s", want, dot.String())
		}
	}
	if !strings.Contains(mm.String(), "stack_shared --> stack_blue") {
		t.Errorf("mermaid:\n%s", mm.String())
	}
	if !strings.Contains(rb.String(), "7. **stack.link** (after state, stack.blue)") {
		t.Errorf("runbook:\n%s", rb.String())
	}
}

// The runbook's command runs the pipeline it describes: --with for the
// optional stacks it includes, and the config file, quoted.
func TestRunbookCommandKeepsTheScope(t *testing.T) {
	t.Parallel()
	cfg := loadExample(t)
	cfg.Filename = "dr config.hcl"
	p, err := Build(cfg, []string{"green"})
	if err != nil {
		t.Fatal(err)
	}
	var rb bytes.Buffer
	if err := WriteRunbook(&rb, cfg, p); err != nil {
		t.Fatal(err)
	}
	if want := "Run it with `tfrebuild apply --config 'dr config.hcl' --with green`"; !strings.Contains(rb.String(), want) {
		t.Errorf("runbook lacks %q:\n%s", want, rb.String())
	}
}

func TestBuildDestroyReversesTheStacks(t *testing.T) {
	t.Parallel()
	cfg := loadExample(t)
	p, err := BuildDestroy(cfg, []string{"green"}, true)
	if err != nil {
		t.Fatal(err)
	}
	want := "preflight stack.link stack.blue stack.green stack.shared registries state"
	if got := strings.Join(names(p), " "); got != want {
		t.Errorf("destroy order = %s, want %s", got, want)
	}
	if got := strings.Join(p.Get("stack.shared").Deps, ","); got != "preflight,stack.blue,stack.green" {
		t.Errorf("shared is destroyed after %s", got)
	}
}
