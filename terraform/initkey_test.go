package terraform

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A later run skips init for a stack an earlier run initialised, when
// nothing init depends on changed; a change to the stack's code runs it
// again; and a data dir that lost what init set up is initialised again
// when Terraform asks for it, without failing the apply.
func TestInitSkippedWhenInitialisedForTheSameInputs(t *testing.T) {
	t.Parallel()
	b := newBed(t, nil)
	ctx := context.Background()
	bin, record := recorder(t, b.runner.Binary.Path)
	b.runner.Binary = &Binary{Path: bin, Version: b.runner.Binary.Version}
	b.runner.ReadState = func(context.Context, Backend) ([]byte, error) { return nil, nil }
	run := func(what string) (*Result, []string) {
		t.Helper()
		before := 0
		if data, err := os.ReadFile(record); err == nil {
			before = len(strings.Split(strings.TrimSpace(string(data)), "\n"))
		}
		r := &Runner{Binary: b.runner.Binary, WorkRoot: b.runner.WorkRoot, PluginCache: b.runner.PluginCache, Env: b.runner.Env, ReadState: b.runner.ReadState}
		defer r.Close()
		res, err := r.Apply(ctx, b.stack("blue", nil))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		var verbs []string
		for _, c := range calls(t, record)[before:] {
			verbs = append(verbs, strings.Fields(c)[0])
		}
		return res, verbs
	}
	skipped := func(res *Result) bool {
		return slices.ContainsFunc(res.Notes, func(n string) bool { return strings.HasPrefix(n, "init skipped") })
	}

	if res, verbs := run("first run"); strings.Join(verbs, " ") != "init apply" || skipped(res) {
		t.Errorf("first run: %q, notes %q", verbs, res.Notes)
	}
	if res, verbs := run("second run"); strings.Join(verbs, " ") != "apply" || !skipped(res) {
		t.Errorf("a run after the stack was initialised for the same inputs: %q, notes %q", verbs, res.Notes)
	}

	main := filepath.Join(b.src, "stacks", "app", "main.tf")
	f, err := os.OpenFile(main, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString("\n# edited\n")
	f.Close()
	if res, verbs := run("after an edit"); strings.Join(verbs, " ") != "init apply" || skipped(res) {
		t.Errorf("a run after the stack's code changed must init again: %q", verbs)
	}

	// The key still matches, but the backend's settings are gone from the
	// data dir: Terraform refuses the apply and asks for init.
	if err := os.Remove(filepath.Join(b.runner.Workdir("blue").DataDir(), "terraform.tfstate")); err != nil {
		t.Fatal(err)
	}
	if res, verbs := run("after the data dir lost its backend"); strings.Join(verbs, " ") != "apply init apply" || res.Changed {
		t.Errorf("a data dir that needs init after all: %q, changed %v", verbs, res.Changed)
	}
	if _, verbs := run("once more"); strings.Join(verbs, " ") != "apply" {
		t.Errorf("after the repeated init: %q", verbs)
	}
}

// An init that did not finish leaves no record: the next run inits.
func TestInitKeyForgottenWhileInitRuns(t *testing.T) {
	t.Parallel()
	b := newBed(t, nil)
	ctx := context.Background()
	if err := b.runner.Init(ctx, b.stack("blue", nil)); err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(b.runner.Workdir("blue").DataDir(), initKeyFile)
	if _, err := os.Stat(key); err != nil {
		t.Fatalf("a finished init is recorded: %v", err)
	}
	// A backend that does not exist makes init fail.
	s := b.stack("blue", nil)
	s.Backend.Bucket = "tft-no-such-bucket"
	r := &Runner{Binary: b.runner.Binary, WorkRoot: b.runner.WorkRoot, PluginCache: b.runner.PluginCache, Env: b.runner.Env}
	defer r.Close()
	if err := r.Init(ctx, s); err == nil {
		t.Fatal("init against a missing bucket should fail")
	}
	if _, err := os.Stat(key); !os.IsNotExist(err) {
		t.Errorf("a failed init left its record: %v", err)
	}
}

// A stack with no lock file at all installs its providers into its own
// data dir: Terraform would otherwise install them into the shared plugin
// cache again, replacing files that stacks applying meanwhile run.
func TestPluginCacheOnlyWithALockFile(t *testing.T) {
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "main.tf"), []byte("terraform {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cacheFor := func() string {
		t.Helper()
		root := t.TempDir()
		r := &Runner{Binary: &Binary{Path: "/bin/false", Version: "1.11.4"}, WorkRoot: filepath.Join(root, "work"), PluginCache: filepath.Join(root, "cache"), Env: []string{"HOME=" + root}}
		defer r.Close()
		if err := r.Prepare(context.Background(), Stack{Name: "s", SourceDir: src}); err != nil {
			t.Fatal(err)
		}
		return r.handles["s"].env["TF_PLUGIN_CACHE_DIR"]
	}
	if got := cacheFor(); got != "" {
		t.Errorf("a stack without a lock file uses the shared plugin cache %s", got)
	}
	if err := os.WriteFile(filepath.Join(src, LockFileName), []byte("# lock\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := cacheFor(); got == "" {
		t.Error("a stack with a lock file should use the shared plugin cache")
	}
}
