package config

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// wantErrors asserts that parsing src reports, for each want, an error at
// testdata/rebuild.hcl:POS whose text contains the substring.
func wantError(t *testing.T, src, pos, want string) {
	t.Helper()
	_, diags := parseHere(t, src)
	prefix := fmt.Sprintf("testdata/rebuild.hcl:%s: ", pos)
	for _, d := range diags {
		line := FormatDiagnostic(d)
		if d.Severity == hcl.DiagError && strings.HasPrefix(line, prefix) && strings.Contains(line, want) {
			return
		}
	}
	t.Errorf("want an error at %s containing %q; got:\n%v", prefix, want, DiagnosticsError(diags))
}

func stackChain(deps map[string]string) string {
	var b strings.Builder
	for _, name := range []string{"a", "b", "c", "d"} {
		fmt.Fprintf(&b, "stack %q {\n  source = \"stacks/net\"\n", name)
		if d := deps[name]; d != "" {
			fmt.Fprintf(&b, "  depends_on = [%s]\n", d)
		}
		b.WriteString("}\n")
	}
	return b.String()
}

func TestCycleMessagesNameRealEdges(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		deps map[string]string
		want []string
	}{
		// a→c→b→a: declaration order a,b,c is not the path.
		{"out of order", map[string]string{"a": "stack.c", "c": "stack.b", "b": "stack.a"},
			[]string{"stack.a → stack.c → stack.b → stack.a"}},
		// two cycles sharing a: a↔b and a↔c, one component.
		{"two cycles one component", map[string]string{"a": "stack.b, stack.c", "b": "stack.a", "c": "stack.a"},
			[]string{"stack.a → stack.b → stack.a", "stack.c → stack.a → stack.c"}},
		// two separate cycles.
		{"two components", map[string]string{"a": "stack.b", "b": "stack.a", "c": "stack.d", "d": "stack.c"},
			[]string{"stack.a → stack.b → stack.a", "stack.c → stack.d → stack.c"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, diags := parseHere(t, validHeader+stackChain(tc.deps))
			var got []string
			for _, d := range diags {
				if d.Summary == "Dependency cycle" {
					got = append(got, d.Detail)
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("want %d cycle errors, got %d: %q", len(tc.want), len(got), got)
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w+".") {
					t.Errorf("cycle %d = %q, want it to name %s", i, got[i], w)
				}
			}
		})
	}
}

func TestStateDir(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"rebuild.hcl":         ".tfrebuild",
		"staging.hcl":         ".tfrebuild-staging",
		"dr/prod.rebuild.hcl": ".tfrebuild-prod.rebuild",
		"odd name!.hcl":       ".tfrebuild-odd_name_",
		"noext":               ".tfrebuild-noext",
	}
	for file, want := range cases {
		if got := StateDirName(file); got != want {
			t.Errorf("StateDirName(%q) = %q, want %q", file, got, want)
		}
	}
	cfg, diags := parseHere(t, validHeader)
	if diags.HasErrors() {
		t.Fatal(DiagnosticsError(diags))
	}
	if got, want := cfg.StateDir(), filepath.Join(mustAbs(t, "testdata"), ".tfrebuild"); got != want {
		t.Errorf("StateDir() = %q, want %q", got, want)
	}
}

func TestStepAutoConfirmInDrill(t *testing.T) {
	t.Parallel()
	cfg, diags := parseHere(t, validHeader+"step \"a\" {\n  instructions = \"x\"\n  auto_confirm_in_drill = true\n}\nstep \"b\" {\n  instructions = \"y\"\n}\n")
	if diags.HasErrors() {
		t.Fatal(DiagnosticsError(diags))
	}
	if !cfg.Steps[0].AutoConfirmInDrill || cfg.Steps[1].AutoConfirmInDrill {
		t.Errorf("auto_confirm_in_drill decoded as %v, %v", cfg.Steps[0].AutoConfirmInDrill, cfg.Steps[1].AutoConfirmInDrill)
	}
	wantError(t, validHeader+"step \"a\" {\n  instructions = \"x\"\n  auto_confirm_in_drill = \"yes\"\n}\n", "16:27", "bool")
}

// TestBlockErrorsDoNotHideReferenceErrors: one round of validate shows a
// value error and a reference error together.
func TestBlockErrorsDoNotHideReferenceErrors(t *testing.T) {
	t.Parallel()
	src := strings.Replace(validHeader, `"eu-west-2"`, `"nowhere"`, 1) + mgmtAccount +
		"stack \"a\" {\n  source = \"stacks/net\"\n  account = account.mgnt\n  depends_on = [stack.nett]\n}\n"
	wantError(t, src, "8:16", "not an AWS region")
	wantError(t, src, "21:13", `there is no account "mgnt" in this config. Did you mean "mgmt"?`)
	wantError(t, src, "22:17", `there is no stack "nett"`)
	_, diags := parseHere(t, strings.Replace(validHeader, `"123456789012"`, `"12345"`, 1)+"account \"m\" {\n  account_id = \"111111111111\"\n  region = \"eu-west-1\"\n}\n")
	for _, d := range diags {
		if d.Summary == "Account needs a role" {
			t.Errorf("an invalid target account_id should not cascade: %s", FormatDiagnostic(d))
		}
	}
}
