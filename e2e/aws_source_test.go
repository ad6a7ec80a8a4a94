package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A rebuild writes nothing into the stacks' source tree: no .terraform/,
// no new or changed lock file, even with real providers, a local module
// and two stacks (blue, green) built from one directory.
func TestAWSSourceTreeUntouched(t *testing.T) {
	t.Parallel()
	m, mirror := ordersMoto(t)
	o := newOrders(t, m, mirror, "eu-west-2")
	var trees []string
	for _, sub := range []string{"stacks", "modules"} {
		trees = append(trees, filepath.Join(o.dir, sub))
	}
	before := map[string]map[string]string{}
	for _, dir := range trees {
		before[dir] = fileContents(t, dir)
	}

	o.apply()
	res := o.run("plan", "--with", "green")
	wantCode(t, res, 0)
	fresh := newOrders(t, m, mirror, "eu-west-2") // plans against state without a checkpoint
	wantCode(t, fresh.run("plan", "--with", "green"), 0)

	for _, dir := range trees {
		after := fileContents(t, dir)
		for name, text := range after {
			if old, ok := before[dir][name]; !ok {
				t.Errorf("the run wrote %s into the source tree", filepath.Join(dir, name))
			} else if old != text {
				t.Errorf("the run changed %s in the source tree", filepath.Join(dir, name))
			}
		}
		for name := range before[dir] {
			if _, ok := after[name]; !ok {
				t.Errorf("the run removed %s from the source tree", filepath.Join(dir, name))
			}
		}
		_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() && d.Name() == ".terraform" {
				t.Errorf("the run created %s", p)
			}
			return nil
		})
	}
	// The copy's lock files are still the committed ones, byte for byte.
	committed := fileContents(t, filepath.Join(exampleDir(t), "stacks"))
	copied := fileContents(t, filepath.Join(o.dir, "stacks"))
	n := 0
	for name, text := range committed {
		if strings.HasSuffix(name, ".terraform.lock.hcl") {
			n++
			if copied[name] != text {
				t.Errorf("stacks/%s differs from the committed lock file", name)
			}
		}
	}
	if n != 3 {
		t.Errorf("%d committed lock files in examples/orders-aws/stacks, want 3 (shared, env, link)", n)
	}
}
