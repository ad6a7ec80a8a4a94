package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// linkedTree lays out a stack whose module directory is a symlink to a
// module kept elsewhere (stacks/app/mod -> ../../shared/mod), as some
// repositories share modules; Terraform follows the link.
func linkedTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	stack, shared := filepath.Join(root, "stacks", "app"), filepath.Join(root, "shared", "mod")
	for _, d := range []string{stack, shared} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, filepath.Join(stack, "main.tf"), `terraform {
  backend "s3" {}
}

module "greeting" {
  source = "./mod"
  name   = "linked"
}

output "greeting" {
  value = module.greeting.text
}
`)
	writeFile(t, filepath.Join(shared, "main.tf"), readFile(t, filepath.Join("testdata", "modules", "greeting", "main.tf")))
	if err := os.Symlink(filepath.Join("..", "..", "shared", "mod"), filepath.Join(stack, "mod")); err != nil {
		t.Fatal(err)
	}
	return stack
}

// #19: a module reached through a directory symlink passes validate and
// plan, and its apply must not fail reading the link as a file.
func TestDirectorySymlinkedModuleApplies(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, "linkedmod")
	stack := linkedTree(t)
	tg.write(`
stack "app" {
  source = "` + stack + `"
}
`)
	wantCode(t, tg.run("validate"), 0)
	wantCode(t, tg.run("apply", "--yes"), 0)
	st := tg.state("app")
	if st == nil || st.Outputs["greeting"].Value != "hello linked" {
		t.Fatalf("state of app after apply: %+v", st)
	}
	// Editing the module behind the link is a change of the stack.
	shared := filepath.Join(filepath.Dir(filepath.Dir(stack)), "shared", "mod", "main.tf")
	writeFile(t, shared, strings.Replace(readFile(t, shared), "hello ", "hi ", 1))
	wantCode(t, tg.run("apply", "--yes"), 0)
	if st := tg.state("app"); st == nil || st.Outputs["greeting"].Value != "hi linked" {
		t.Fatalf("an edit of the linked module was not applied: %+v", st)
	}
}

// #19: a .tf symlink to a device made validate read without end; it is
// refused, naming the file. A symlink loop is refused the same way.
func TestValidateRefusesWhatTerraformCannotRead(t *testing.T) {
	t.Parallel()
	for name, link := range map[string][2]string{
		"device": {"zero.tf", "/dev/zero"},
		"loop":   {"again", "."},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tg := newTarget(t, "refuse"+name)
			stack := filepath.Join(t.TempDir(), "app")
			if err := os.MkdirAll(stack, 0o755); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(stack, "main.tf"), "terraform {\n  backend \"s3\" {}\n}\n")
			if err := os.Symlink(link[1], filepath.Join(stack, link[0])); err != nil {
				t.Fatal(err)
			}
			tg.write(`
stack "app" {
  source = "` + stack + `"
}
`)
			res := tg.run("validate")
			wantCode(t, res, 1)
			if !strings.Contains(res.Stderr, link[0]) {
				t.Errorf("validate should name %s:\n%s", link[0], res.Stderr)
			}
		})
	}
}
