package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

const example = "../../examples/profile-api/rebuild.hcl"

func TestValidateExample(t *testing.T) {
	t.Parallel()
	out, errOut, code := runCLI(t, "validate", "--config", example)
	if code != 0 || !strings.Contains(out, "valid: 7 stages (4 stacks, 2 registries") {
		t.Fatalf("code %d\n%s\n%s", code, out, errOut)
	}
}

func TestValidateBrokenConfigs(t *testing.T) {
	t.Parallel()
	stacks, _ := filepath.Abs("../../examples/profile-api/stacks")
	header := "project = \"p\"\ntarget {\n  account_id = \"123456789012\"\n  region = \"eu-west-2\"\n}\nstate {\n  bucket = \"p-tfstate\"\n  use_lockfile = true\n}\n"
	cases := map[string]struct{ src, want string }{
		"near miss":   {strings.Replace(header, "region =", "regoin =", 1), `rebuild.hcl:4:3: Unsupported argument: An argument named "regoin" is not expected here. Did you mean "region"?`},
		"self ref":    {header + "stack \"a\" {\n  source = \"" + stacks + "/shared\"\n  depends_on = [stack.a]\n  inputs = { project = \"p\" }\n}\n", "rebuild.hcl:12:17: Dependency cycle: stack.a depends on itself."},
		"bad input":   {header + "stack \"a\" {\n  source = \"" + stacks + "/shared\"\n  inputs = { projct = \"p\" }\n}\n", `rebuild.hcl:12:14: Unknown stack input: stack "a" sets "projct", but ` + stacks + `/shared declares no such variable (it declares, in main.tf: delay_seconds, project). Did you mean "project"?`},
		"empty":       {"", "rebuild.hcl:1:1: Empty config"},
		"bad account": {strings.Replace(header, "123456789012", "12", 1), "rebuild.hcl:3:16: Invalid account_id"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "rebuild.hcl"), []byte(tc.src), 0o644); err != nil {
				t.Fatal(err)
			}
			wd, _ := os.Getwd()
			rel, _ := filepath.Rel(wd, filepath.Join(dir, "rebuild.hcl"))
			_, errOut, code := runCLI(t, "validate", "--config", rel)
			want := strings.ReplaceAll(tc.want, "rebuild.hcl:", rel+":")
			if code != 1 || !strings.Contains(errOut, want) {
				t.Errorf("code %d, want 1 and %q in:\n%s", code, want, errOut)
			}
		})
	}
}

func TestHelpVersionAndUsageErrors(t *testing.T) {
	t.Parallel()
	for name := range commands() {
		out, _, code := runCLI(t, name, "--help")
		if code != 0 || !strings.Contains(out, "Usage: tfrebuild "+name) || !strings.Contains(out, "Example:\n  tfrebuild "+name) {
			t.Errorf("%s --help: code %d\n%s", name, code, out)
		}
	}
	if out, _, code := runCLI(t, "--version"); code != 0 || !strings.HasPrefix(out, "tfrebuild ") {
		t.Errorf("--version: %d %q", code, out)
	}
	if _, errOut, code := runCLI(t, "aply"); code != 1 || !strings.Contains(errOut, "Try: tfrebuild --help") {
		t.Errorf("unknown command: %d %q", code, errOut)
	}
	if _, errOut, code := runCLI(t, "graph", "--format", "png", "--config", example); code != 1 || !strings.Contains(errOut, "Try:") {
		t.Errorf("bad format: %d %q", code, errOut)
	}
	if _, errOut, code := runCLI(t, "validate", "--config", "does-not-exist.hcl"); code != 1 || !strings.Contains(errOut, "does-not-exist.hcl") {
		t.Errorf("missing config: %d %q", code, errOut)
	}
}

func TestGraphFormats(t *testing.T) {
	t.Parallel()
	dot, _, code := runCLI(t, "graph", "--config", example)
	if code != 0 || !strings.HasPrefix(dot, "digraph tfrebuild {") {
		t.Errorf("dot: %d\n%s", code, dot)
	}
	mm, _, code := runCLI(t, "graph", "--config", example, "--format", "mermaid", "--with", "green")
	if code != 0 || !strings.Contains(mm, "stack_green --> stack_link") {
		t.Errorf("mermaid with green: %d\n%s", code, mm)
	}
}

func TestFlagsAfterPositionalArguments(t *testing.T) {
	t.Parallel()
	_, errOut, code := runCLI(t, "confirm", "handoff", "--config", example)
	if code != 1 || !strings.Contains(errOut, `no step "handoff"`) {
		t.Errorf("confirm with trailing flags: %d %q", code, errOut)
	}
}
