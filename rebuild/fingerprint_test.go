package rebuild

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/tfrebuild/tfrebuild/config"
)

func TestFingerprint(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	stack, module := filepath.Join(dir, "stack"), filepath.Join(dir, "modules", "m")
	for path, text := range map[string]string{
		filepath.Join(stack, "main.tf"):             "module \"m\" {\n  source = \"../modules/m\"\n}\n",
		filepath.Join(stack, ".terraform.lock.hcl"): "# lock\n",
		filepath.Join(module, "main.tf"):            "output \"x\" {\n  value = 1\n}\n",
	} {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	st := &config.Stack{Name: "s", SourceDir: stack}
	vars := map[string]cty.Value{"a": cty.StringVal("1")}
	up := map[string]map[string]string{"net": {"id": "sha256:1"}}
	fp := func() string {
		f, err := stackFingerprint(st, vars, up, "1.11.4", "bucket = \"b\"")
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	base := fp()
	if fp() != base {
		t.Fatal("the fingerprint is not stable")
	}
	changes := map[string]func(){
		"module file": func() {
			_ = os.WriteFile(filepath.Join(module, "main.tf"), []byte("output \"x\" {\n  value = 2\n}\n"), 0o644)
		},
		"lock file": func() { _ = os.WriteFile(filepath.Join(stack, ".terraform.lock.hcl"), []byte("# lock 2\n"), 0o644) },
		"input":     func() { vars = map[string]cty.Value{"a": cty.StringVal("2")} },
		"upstream":  func() { up = map[string]map[string]string{"net": {"id": "sha256:2"}} },
	}
	for what, change := range changes {
		before := fp()
		change()
		if fp() == before {
			t.Errorf("changing the %s did not change the fingerprint", what)
		}
	}
	if !strings.HasPrefix(base, "sha256:") || strings.Contains(base, "1.11.4") {
		t.Errorf("fingerprint %q", base)
	}
}
