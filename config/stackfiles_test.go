package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// tree lays out files (path -> content) under a temporary root; a content
// starting with "-> " makes a symlink to the rest.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, text := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		if target, ok := strings.CutPrefix(text, "-> "); ok {
			err = os.Symlink(target, full)
		} else {
			err = os.WriteFile(full, []byte(text), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return root
}

const callM = "module \"m\" {\n  source = \"../modules/m\"\n}\n"

func TestStackFiles(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		files   map[string]string
		want    []string
		modules []string
	}{{
		name: "every file kind and the lock file, without what Terraform leaves",
		files: map[string]string{
			"stack/main.tf": "", "stack/b.tf.json": "{}", "stack/c.tofu": "", "stack/d.tofu.json": "{}",
			"stack/.terraform.lock.hcl": "", "stack/lambda.zip": "PK", "stack/templates/x.tpl": "",
			"stack/.terraform/providers/p": "", "stack/.git/HEAD": "", "stack/.env": "",
			"stack/terraform.tfstate": "{}", "stack/errored.tfstate": "{}", "stack/crash.log": "",
		},
		want: []string{".terraform.lock.hcl", "b.tf.json", "c.tofu", "d.tofu.json", "lambda.zip", "main.tf", "templates/x.tpl"},
	}, {
		name: "modules called from .tf, .tf.json, .tofu and .tofu.json, recursively",
		files: map[string]string{
			"stack/a.tf":          "module \"a\" {\n  source = \"../modules/a\"\n}\nmodule \"r\" {\n  source = \"hashicorp/x/aws\"\n}\n",
			"stack/b.tf.json":     `{"module": {"b": {"source": "../modules/b/"}}}`,
			"stack/c.tofu":        "module \"c\" {\n  source = \"./c\"\n}\n",
			"stack/c/main.tf":     "module \"d\" {\n  source = \"../../modules/d\"\n}\n",
			"stack/e.tofu.json":   `{"module": {"e": {"source": "../modules/e"}}}`,
			"modules/a/main.tf":   "",
			"modules/b/main.tf":   "",
			"modules/d/main.tf":   "module \"m\" {\n  source = \"../m\"\n}\n",
			"modules/m/main.tf":   "",
			"modules/e/x.tf":      "",
			"modules/e/.hidden":   "",
			"modules/e/.terra.hc": "",
		},
		want: []string{"../modules/a/main.tf", "../modules/b/main.tf", "../modules/d/main.tf", "../modules/e/x.tf",
			"../modules/m/main.tf", "a.tf", "b.tf.json", "c.tofu", "c/main.tf", "e.tofu.json"},
		modules: []string{"../modules/a", "../modules/b", "../modules/d", "../modules/e", "../modules/m", "c"},
	}, {
		name: "a directory symlink is followed and keeps its own path",
		files: map[string]string{
			"stacks/app/main.tf":    "module \"m\" {\n  source = \"./mod\"\n}\n",
			"stacks/app/mod":        "-> ../../shared/mod",
			"shared/mod/main.tf":    "module \"n\" {\n  source = \"../n\"\n}\n",
			"stacks/app/n/main.tf":  "",
			"shared/n/not-read.tf":  "",
			"stacks/app/dangling.x": "-> nowhere",
		},
		want:    []string{"main.tf", "mod/main.tf", "n/main.tf"},
		modules: []string{"mod", "n"},
	}, {
		name:    "a module called twice and modules calling each other",
		files:   map[string]string{"stack/main.tf": callM + "module \"m2\" {\n  source = \"../modules/m\"\n}\n", "modules/m/main.tf": "module \"s\" {\n  source = \"../s\"\n}\n", "modules/s/main.tf": "module \"m\" {\n  source = \"../m\"\n}\n"},
		want:    []string{"../modules/m/main.tf", "../modules/s/main.tf", "main.tf"},
		modules: []string{"../modules/m", "../modules/s"},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			root := tree(t, c.files)
			dir := filepath.Join(root, "stack")
			if _, err := os.Stat(dir); err != nil {
				dir = filepath.Join(root, "stacks", "app")
			}
			set, err := StackFiles(dir)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(set.Files, c.want) || !reflect.DeepEqual(set.Modules, c.modules) {
				t.Errorf("files %q\n want %q\nmodules %q\n   want %q", set.Files, c.want, set.Modules, c.modules)
			}
		})
	}
}

func TestStackFilesRefuses(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("#", MaxTerraformFileSize+1)
	cases := []struct {
		name  string
		files map[string]string
		want  []string // in the error
	}{
		{"a .tf symlink to a device", map[string]string{"stack/main.tf": "", "stack/zero.tf": "-> /dev/zero"}, []string{"zero.tf", "a device", "remove it"}},
		{"any file that is a device", map[string]string{"stack/main.tf": "", "stack/data/null": "-> /dev/null"}, []string{"data/null", "a device"}},
		{"a symlink loop", map[string]string{"stack/main.tf": "", "stack/again": "-> ."}, []string{"again", "symlink loop"}},
		{"a deeper symlink loop", map[string]string{"stack/main.tf": "", "stack/a/b/up": "-> ../.."}, []string{"a/b/up", "symlink loop"}},
		{"a module loop through a link", map[string]string{"stack/main.tf": "module \"m\" {\n  source = \"../m\"\n}\n", "m": "-> stack"}, []string{"calls itself"}},
		{"a missing module", map[string]string{"stack/main.tf": callM}, []string{"modules/m", "create the directory"}},
		{"a dangling .tf link", map[string]string{"stack/main.tf": "", "stack/gone.tf": "-> nowhere.tf"}, []string{"gone.tf"}},
		{"a configuration file over the cap", map[string]string{"stack/main.tf": big}, []string{"main.tf", "16 MiB"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			root := tree(t, c.files)
			_, err := StackFiles(filepath.Join(root, "stack"))
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error should contain %q: %v", w, err)
				}
			}
		})
	}
	root := tree(t, map[string]string{"stack/main.tf": "", "stack/zero.tf": "-> /dev/zero"})
	if _, err := StackFiles(filepath.Join(root, "stack")); !errors.Is(err, ErrNotRegular) {
		t.Errorf("a device is ErrNotRegular: %v", err)
	}
}

// The lock file and a large archive are not configuration: no cap on the
// archive, and a file read later through Open must still be regular.
func TestStackFilesReadBounded(t *testing.T) {
	t.Parallel()
	root := tree(t, map[string]string{"stack/main.tf": "", "stack/zero.tf": "-> /dev/zero"})
	if _, err := readBounded(filepath.Join(root, "stack", "zero.tf")); !errors.Is(err, ErrNotRegular) {
		t.Errorf("reading a device: %v", err)
	}
	set := &FileSet{Dir: filepath.Join(root, "stack")}
	if _, err := set.Open("zero.tf"); !errors.Is(err, ErrNotRegular) {
		t.Errorf("opening a device: %v", err)
	}
	f, err := set.Open("main.tf")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func TestConfigFiles(t *testing.T) {
	t.Parallel()
	set := &FileSet{Files: []string{"a.tf", "a.tofu", "b.tf.json", "b.tofu.json", "c.tf", "c.tofu.json", "d.tofu", "lock.hcl", "sub/e.tf", "../m/f.tf"}}
	if got, want := set.ConfigFiles(".", EngineTerraform), []string{"a.tf", "b.tf.json", "c.tf"}; !reflect.DeepEqual(got, want) {
		t.Errorf("terraform reads %q, want %q", got, want)
	}
	if got, want := set.ConfigFiles(".", EngineOpenTofu), []string{"a.tofu", "b.tofu.json", "c.tf", "c.tofu.json", "d.tofu"}; !reflect.DeepEqual(got, want) {
		t.Errorf("opentofu reads %q, want %q", got, want)
	}
	if got, want := set.ConfigFiles("../m", EngineTerraform), []string{"../m/f.tf"}; !reflect.DeepEqual(got, want) {
		t.Errorf("module ../m: %q, want %q", got, want)
	}
}
