package e2e

import (
	"archive/zip"
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

// The partner API key is made by the shared stack, is a sensitive output,
// and flows into link, which stores it for the partner team. It must reach
// link and appear nowhere tfrebuild writes: its output, the files under
// .tfrebuild/ (checkpoint, logs, work folders), status, plan reports.
func TestAWSSecrets(t *testing.T) {
	t.Parallel()
	m, mirror := ordersMoto(t)
	o := newOrders(t, m, mirror, "eu-west-2")
	runs := []namedResult{{"apply", o.apply()}}

	key, _, ok := o.param("/orders/shared/partner-api-key")
	if !ok || len(key) != 40 {
		t.Fatalf("the shared stack's key: %d characters (exists %v), want 40", len(key), ok)
	}
	if handed, _, _ := o.param("/orders/link/partner-api-key"); handed != key {
		t.Fatalf("link stored a partner key of %d characters that is not shared's: the sensitive output did not flow downstream", len(handed))
	}

	reports := t.TempDir()
	for _, args := range [][]string{
		{"apply", "--yes", "--with", "green"}, // resumed: every stage done, outputs read again
		{"plan", "--with", "green", "--json", filepath.Join(reports, "plan.json"), "--markdown", filepath.Join(reports, "plan.md")},
		{"status"},
		{"status", "--json"},
	} {
		res := o.run(args...)
		if res.Code != 0 {
			t.Errorf("%v: exit code %d\nstderr:\n%s", args, res.Code, res.Stderr)
		}
		runs = append(runs, namedResult{strings.Join(args, " "), res})
	}
	// A plan from a fresh checkout: no checkpoint, outputs read from state.
	fresh := newOrders(t, m, mirror, "eu-west-2")
	res := fresh.run("plan", "--with", "green", "--json", filepath.Join(reports, "fresh-plan.json"))
	if res.Code != 0 {
		t.Errorf("plan from a fresh checkout: exit code %d\nstderr:\n%s", res.Code, res.Stderr)
	}
	runs = append(runs, namedResult{"plan (fresh checkout)", res})

	for _, r := range runs {
		if strings.Contains(r.res.Stdout, key) || strings.Contains(r.res.Stderr, key) {
			t.Errorf("%s printed the partner API key", r.name)
		}
	}
	for _, dir := range []string{filepath.Join(o.dir, ".tfrebuild"), filepath.Join(fresh.dir, ".tfrebuild"), reports} {
		for _, f := range filesHolding(t, dir, key) {
			t.Errorf("%s holds the partner API key", f)
		}
	}
}

type namedResult struct {
	name string
	res  testenv.Result
}

// filesHolding lists the files under dir that contain secret, looking
// inside zip files too (Terraform's saved plans are zips). Provider
// binaries, which cannot hold a value made at run time, are not read.
func filesHolding(t *testing.T, dir, secret string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || d.Type()&fs.ModeSymlink != 0 || strings.HasPrefix(d.Name(), "terraform-provider-") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte(secret)) {
			out = append(out, p)
			return nil
		}
		if zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b))); err == nil {
			for _, f := range zr.File {
				rc, err := f.Open()
				if err != nil {
					continue
				}
				inner, _ := io.ReadAll(rc)
				rc.Close()
				if bytes.Contains(inner, []byte(secret)) {
					out = append(out, p+" (in "+f.Name+")")
				}
			}
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return out
}
