package terraform

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ProviderCLIRCEnv names the CLI config that points Terraform at the
// provider mirror tools/offline-providers.sh builds.
const providerCLIRCEnv = "TFREBUILD_PROVIDER_CLIRC"

// withMirror points the bed's Terraform at the offline provider mirror.
func (b *bed) withMirror(t *testing.T) {
	t.Helper()
	clirc := os.Getenv(providerCLIRCEnv)
	if clirc == "" {
		msg := providerCLIRCEnv + " is not set: run eval \"$(../shared/tools/offline-providers.sh)\" to build the provider mirror this test installs from"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	mirror, err := os.ReadFile(clirc)
	if err != nil {
		t.Fatal(err)
	}
	cli := filepath.Join(t.TempDir(), "terraformrc")
	if err := os.WriteFile(cli, append([]byte("disable_checkpoint = true\n"), mirror...), 0o644); err != nil {
		t.Fatal(err)
	}
	b.env.Vars["TF_CLI_CONFIG_FILE"] = cli
	b.runner.Env = b.env.Environ()
}

func (b *bed) nullStack(t *testing.T, name string, lock string) Stack {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	if err := os.CopyFS(dir, os.DirFS("testdata/withnull")); err != nil {
		t.Fatal(err)
	}
	if lock != "" {
		if err := os.WriteFile(filepath.Join(dir, LockFileName), []byte(lock), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := at(b.stack(name, nil), dir, dir)
	s.Vars = nil
	return s
}

// A stack without a lock file gets one in its work folder, and the run
// says so; a committed one is honoured read-only; one that does not list
// a provider the stack needs is an error naming both.
func TestLockFiles(t *testing.T) {
	t.Parallel()
	b := newBed(t, nil)
	b.withMirror(t)
	bin, record := recorder(t, b.runner.Binary.Path)
	b.runner.Binary = &Binary{Path: bin, Version: b.runner.Binary.Version}
	ctx := context.Background()

	none := b.nullStack(t, "none", "")
	before := snapshot(t, none.SourceDir)
	res, err := b.runner.Apply(ctx, none)
	if err != nil {
		t.Fatal(err)
	}
	sameTree(t, before, snapshot(t, none.SourceDir))
	kept := b.runner.Workdir("none").LockFile()
	lock, err := os.ReadFile(kept)
	if err != nil || !strings.Contains(string(lock), "hashicorp/null") {
		t.Fatalf("the generated lock file should be kept at %s: %v\n%s", kept, err, lock)
	}
	if notes := lockNotes(res.Notes); len(notes) != 1 || !strings.Contains(notes[0], kept) {
		t.Errorf("the run should say where the lock file is: %q", res.Notes)
	}

	committed := b.nullStack(t, "committed", string(lock))
	before = snapshot(t, committed.SourceDir)
	res, err = b.runner.Apply(ctx, committed)
	if err != nil {
		t.Fatal(err)
	}
	sameTree(t, before, snapshot(t, committed.SourceDir))
	if notes := lockNotes(res.Notes); len(notes) != 0 {
		t.Errorf("nothing to say about a committed lock file: %q", res.Notes)
	}
	readonly := 0
	for _, c := range calls(t, record) {
		if strings.HasPrefix(c, "init") && strings.HasSuffix(c, "-lockfile=readonly") {
			readonly++
		}
	}
	if readonly != 1 {
		t.Errorf("init of the stack with a committed lock file should be read-only: %q", calls(t, record))
	}

	other := `provider "registry.terraform.io/hashicorp/random" {
  version = "2.0.0"
  hashes  = ["h1:0000000000000000000000000000000000000000000="]
}
`
	stale := b.nullStack(t, "stale", other)
	before = snapshot(t, stale.SourceDir)
	_, err = b.runner.Apply(ctx, stale)
	var se *StackError
	if !errors.As(err, &se) || se.Command != "init" {
		t.Fatalf("want init to fail on a lock file without the provider: %v", err)
	}
	for _, want := range []string{"hashicorp/null", "stack stale", filepath.Join(stale.SourceDir, LockFileName)} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error should name %q:\n%v", want, err)
		}
	}
	sameTree(t, before, snapshot(t, stale.SourceDir))
}

func TestLockMismatches(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("testdata/withnull")); err != nil {
		t.Fatal(err)
	}
	lock := filepath.Join(dir, LockFileName)
	cases := map[string]string{
		`provider "registry.opentofu.org/hashicorp/null" { version = "1.0.0" }`:   "",
		`provider "registry.terraform.io/hashicorp/null" { version = "2.0.0" }`:   `provider hashicorp/null is locked at 2.0.0, which the constraint "1.0.0" excludes`,
		`provider "registry.terraform.io/hashicorp/random" { version = "2.0.0" }`: "provider hashicorp/null is required but " + lock + " does not list it",
	}
	for text, want := range cases {
		if err := os.WriteFile(lock, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(lockMismatches(at(Stack{}, dir, dir), lock), "\n"); got != want {
			t.Errorf("%s:\n got %q\nwant %q", text, got, want)
		}
	}
}

// lockNotes are the notes about lock files, without the note that times
// the Terraform processes.
func lockNotes(notes []string) []string {
	var out []string
	for _, n := range notes {
		if strings.Contains(n, LockFileName) {
			out = append(out, n)
		}
	}
	return out
}
