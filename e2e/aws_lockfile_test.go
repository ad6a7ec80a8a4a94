package e2e

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// A committed lock file that the installed provider does not match stops
// the stack with an error naming the stack and the provider, and the lock
// file is left as it was.
func TestAWSLockFileMismatch(t *testing.T) {
	t.Parallel()
	m, mirror := ordersMoto(t)
	o := newOrders(t, m, mirror, "eu-west-2")
	lock := filepath.Join(o.dir, "stacks", "link", ".terraform.lock.hcl")
	b, err := os.ReadFile(lock)
	if err != nil {
		t.Fatal(err)
	}
	h1 := regexp.MustCompile(`"h1:[A-Za-z0-9+/=]+"`)
	if !h1.Match(b) {
		t.Fatalf("%s has no h1 hash", lock)
	}
	tampered := h1.ReplaceAll(b, []byte(`"h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="`))
	writeFile(t, lock, string(tampered))

	res := o.run("apply", "--yes", "--with", "green")
	wantCode(t, res, 1)
	out := res.Stdout + res.Stderr
	if len(lines(out, "stack.link", "failed")) == 0 || !strings.Contains(out, "hashicorp/aws") {
		t.Errorf("want an error that names stack.link and hashicorp/aws\nstdout:\n%s\nstderr:\n%s", res.Stdout, res.Stderr)
	}
	if got, _ := os.ReadFile(lock); string(got) != string(tampered) {
		t.Errorf("the run rewrote %s", lock)
	}
	if st := o.status(); st["stack.shared"].Status != "done" || st["stack.link"].Status != "failed" {
		t.Errorf("status: shared %s, link %s; want done and failed", st["stack.shared"].Status, st["stack.link"].Status)
	}
}

// A stack without a lock file still runs; the lock file Terraform makes
// stays in tfrebuild's work folder, never in the source tree, and the run
// says so.
func TestAWSNoLockFile(t *testing.T) {
	t.Parallel()
	m, mirror := ordersMoto(t)
	o := newOrders(t, m, mirror, "eu-west-2")
	lock := filepath.Join(o.dir, "stacks", "link", ".terraform.lock.hcl")
	if err := os.Remove(lock); err != nil {
		t.Fatal(err)
	}
	res := o.apply()
	if _, err := os.Stat(lock); err == nil {
		t.Errorf("the run wrote %s into the source tree", lock)
	}
	var generated []string
	_ = filepath.WalkDir(filepath.Join(o.dir, ".tfrebuild"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Name() == ".terraform.lock.hcl" && strings.Contains(p, "link") {
			generated = append(generated, p)
		}
		return nil
	})
	if len(generated) == 0 {
		t.Errorf("no lock file for link under .tfrebuild/")
	}
	if len(lines(res.Stdout+res.Stderr, "stack.link", "has no .terraform.lock.hcl")) == 0 {
		t.Errorf("the run does not say that link has no committed lock file\nstdout:\n%s\nstderr:\n%s", res.Stdout, res.Stderr)
	}
}
