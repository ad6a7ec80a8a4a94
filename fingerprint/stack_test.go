package fingerprint

import (
	"crypto/sha256"
	"encoding/hex"
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
		f, err := Stack([]byte("k"), st, vars, up, "1.11.4", "bucket = \"b\"")
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
	if !strings.HasPrefix(base, "hmac-sha256:") || strings.Contains(base, "1.11.4") {
		t.Errorf("fingerprint %q", base)
	}
}

// #11.3: hashes are keyed per target, and the key is kept 0600.
func TestHashesAreKeyed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	key, err := loadKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	again, err := loadKey(dir)
	if err != nil || string(again) != string(key) || len(key) != 32 {
		t.Fatalf("the key is not stable: %x %x %v", key, again, err)
	}
	if info, err := os.Stat(filepath.Join(dir, keyFile)); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v %v", info, err)
	}
	v := map[string]cty.Value{"pin": cty.StringVal("1234")}
	plain := sha256.Sum256([]byte(`"1234"`))
	h := Outputs(key, v)["pin"]
	if strings.Contains(h, hex.EncodeToString(plain[:])) || !strings.HasPrefix(h, "hmac-sha256:") {
		t.Errorf("output hash %s is a plain SHA-256", h)
	}
	if Outputs([]byte("other"), v)["pin"] == h {
		t.Error("two keys give the same hash")
	}
	_ = os.WriteFile(filepath.Join(dir, keyFile), []byte("zz\n"), 0o600)
	if _, err := loadKey(dir); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("a damaged key: %v", err)
	}
}

// #19: a local module called from a .tf.json, .tofu or .tofu.json file is
// part of the fingerprint: editing it is a change of the stack.
func TestFingerprintFollowsModulesOfEveryFileKind(t *testing.T) {
	t.Parallel()
	calls := map[string]string{
		"main.tf.json":   `{"module": {"m": {"source": "../modules/m"}}}`,
		"main.tofu":      "module \"m\" {\n  source = \"../modules/m\"\n}\n",
		"main.tofu.json": `{"module": {"m": {"source": "../modules/m"}}}`,
	}
	for file, call := range calls {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			stack, module := filepath.Join(dir, "stack"), filepath.Join(dir, "modules", "m")
			for path, text := range map[string]string{
				filepath.Join(stack, "backend.tf"): "terraform {\n  backend \"s3\" {}\n}\n",
				filepath.Join(stack, file):         call,
				filepath.Join(module, "main.tf"):   "output \"x\" {\n  value = 1\n}\n",
			} {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			st := &config.Stack{Name: "s", SourceDir: stack}
			fp := func() string {
				f, err := Stack([]byte("k"), st, nil, nil, "1.11.4", "")
				if err != nil {
					t.Fatal(err)
				}
				return f
			}
			before := fp()
			if err := os.WriteFile(filepath.Join(module, "main.tf"), []byte("output \"x\" {\n  value = 2\n}\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if fp() == before {
				t.Errorf("editing a module called from %s did not change the fingerprint", file)
			}
		})
	}
}

func TestTheUsersEnvAndVarFilesAreInTheFingerprint(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	varFile := filepath.Join(dir, "common.tfvars")
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte("# stack\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(varFile, []byte("size = 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	st := &config.Stack{Name: "s", SourceDir: dir, Env: map[string]string{"REGION_HINT": "a"}, VarFiles: []string{varFile}}
	fp := func() string {
		t.Helper()
		f, err := Stack([]byte("k"), st, nil, nil, "terraform 1.11.4", "")
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	base := fp()
	st.Env = map[string]string{"REGION_HINT": "b"}
	afterEnv := fp()
	if afterEnv == base {
		t.Error("changing an env value did not change the fingerprint")
	}
	if err := os.WriteFile(varFile, []byte("size = 2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if fp() == afterEnv {
		t.Error("changing a var file did not change the fingerprint")
	}
	if strings.Contains(fp(), "size") {
		t.Error("the fingerprint holds a value")
	}
	st.VarFiles = []string{filepath.Join(dir, "gone.tfvars")}
	if _, err := Stack([]byte("k"), st, nil, nil, "terraform 1.11.4", ""); err == nil || !strings.Contains(err.Error(), "stack s") {
		t.Errorf("a missing var file: %v", err)
	}
}
