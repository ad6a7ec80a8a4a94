package terraform

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
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
	run := func(what string) (*Result, []string) {
		t.Helper()
		before := 0
		if data, err := os.ReadFile(record); err == nil {
			before = len(strings.Split(strings.TrimSpace(string(data)), "\n"))
		}
		r := &Runner{Binary: b.runner.Binary, WorkRoot: b.runner.WorkRoot, PluginCache: b.runner.PluginCache, Env: b.runner.Env}
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

// A stack with no lock file at all installs its providers into a plugin
// cache of its own: Terraform would otherwise install them into the shared
// one again, replacing files that stacks applying meanwhile run, and
// without any it would use the user's plugin_cache_dir.
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
		if err := r.Prepare(context.Background(), at(Stack{Name: "s"}, src, src)); err != nil {
			t.Fatal(err)
		}
		got := r.handles["s"].env["TF_PLUGIN_CACHE_DIR"]
		if got == r.PluginCache {
			return "shared"
		}
		return got
	}
	if got := cacheFor(); !strings.HasSuffix(got, filepath.Join("work", "s", "plugin-cache")) {
		t.Errorf("a stack without a lock file uses the plugin cache %q, want one of its own", got)
	}
	if err := os.WriteFile(filepath.Join(src, LockFileName), []byte("# lock\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := cacheFor(); got != "shared" {
		t.Errorf("a stack with a lock file should use the shared plugin cache, not %q", got)
	}
}

// A plugin cache emptied since the stack's data dir was initialised: the
// init key still matches, Terraform refuses the apply ("Required plugins
// are not installed", which in automation mode does not name init), and
// the runner inits and applies again. A real provider from the mirror.
func TestInitAgainWhenThePluginCacheWasEmptied(t *testing.T) {
	t.Parallel()
	mirror := testenv.ProviderMirror(t)
	b := newBed(t, nil)
	if err := b.env.UseMirror(mirror); err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	main := "terraform {\n  backend \"s3\" {}\n  required_providers {\n    null = { source = \"hashicorp/null\" }\n  }\n}\n" +
		"variable \"name\" {}\nvariable \"secret\" {}\nresource \"null_resource\" \"x\" {}\n"
	if err := os.WriteFile(filepath.Join(src, "main.tf"), []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	bin, record := recorder(t, b.runner.Binary.Path)
	runner := func() *Runner {
		return &Runner{Binary: &Binary{Path: bin, Version: b.runner.Binary.Version}, WorkRoot: b.runner.WorkRoot,
			PluginCache: b.runner.PluginCache, Env: b.env.Environ()}
	}
	// The stack's committed lock file, generated by an init elsewhere.
	gen := &Runner{Binary: b.runner.Binary, WorkRoot: t.TempDir(), PluginCache: t.TempDir(), Env: b.env.Environ()}
	s := at(b.stack("lockgen", nil), src, src)
	if err := gen.Init(ctx, s); err != nil {
		t.Fatal(err)
	}
	gen.Close()
	lock, err := os.ReadFile(gen.Workdir("lockgen").LockFile())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, LockFileName), lock, 0o644); err != nil {
		t.Fatal(err)
	}
	apply := func(what string) []string {
		t.Helper()
		before := 0
		if data, err := os.ReadFile(record); err == nil {
			before = len(strings.Split(strings.TrimSpace(string(data)), "\n"))
		}
		r := runner()
		defer r.Close()
		s := at(b.stack("blue", nil), src, src)
		if _, err := r.Apply(ctx, s); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		var verbs []string
		for _, c := range calls(t, record)[before:] {
			verbs = append(verbs, strings.Fields(c)[0])
		}
		return verbs
	}
	if got := apply("first run"); strings.Join(got, " ") != "init apply" {
		t.Fatalf("the first run: %q", got)
	}
	if got := apply("second run"); strings.Join(got, " ") != "apply" {
		t.Fatalf("the second run: %q", got)
	}
	entries, _ := os.ReadDir(b.runner.PluginCache)
	if len(entries) == 0 {
		t.Fatal("the shared plugin cache is empty after an init that used it")
	}
	if err := os.RemoveAll(b.runner.PluginCache); err != nil {
		t.Fatal(err)
	}
	if got := apply("after the plugin cache was emptied"); strings.Join(got, " ") != "apply init apply" {
		t.Errorf("after the plugin cache was emptied: %q, want the refused apply, init, apply", got)
	}
}
