package terraform

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// A sensitive output and a sensitive input never land in a file of the
// work folder: not in the logs (no output -json, no show -json there), not
// in a var file or a plan left behind.
func TestSecretsStayOutOfTheWorkFolder(t *testing.T) {
	t.Parallel()
	b := newBed(t, nil)
	ctx := context.Background()
	blue := b.stack("blue", nil)
	if _, err := b.runner.Apply(ctx, blue); err != nil {
		t.Fatal(err)
	}
	outs, err := b.runner.Outputs(ctx, blue)
	if err != nil {
		t.Fatal(err)
	}
	if outs.Values["api_key"].AsString() != "s3cr3t-blue-key" {
		t.Fatalf("the sensitive output still flows to the caller: %#v", outs.Values)
	}
	if _, err := b.runner.Plan(ctx, blue); err != nil {
		t.Fatal(err)
	}
	wrapped := b.stack("fresh", nil)
	wrapped.Wrap, wrapped.Outputs = true, map[string]bool{"api_key": true, "greeting": false}
	if _, err := b.runner.Plan(ctx, wrapped); err != nil {
		t.Fatal(err)
	}
	b.runner.Close()
	for _, secret := range []string{"s3cr3t-blue", "s3cr3t-fresh"} {
		if files := filesContaining(t, b.runner.WorkRoot, secret); len(files) > 0 {
			t.Errorf("%q is in %v", secret, files)
		}
	}
	wd := b.runner.Workdir("blue")
	for _, f := range []string{wd.VarFile(), wd.PlanFile()} {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("%s should be gone once the sequence ends: %v", f, err)
		}
	}
	if data, _ := os.ReadFile(wd.LogFile()); !strings.Contains(string(data), "state pull") {
		t.Errorf("the log should record the commands run:\n%s", data)
	}
}

// Each attempt keeps its own log: a later no-op run does not wipe the log
// of the apply before it, and a failure names the log of its attempt.
func TestALogPerAttempt(t *testing.T) {
	t.Parallel()
	b := newBed(t, nil)
	ctx := context.Background()
	if _, err := b.runner.Apply(ctx, b.stack("blue", nil)); err != nil {
		t.Fatal(err)
	}
	b.runner.Close()
	wd := b.runner.Workdir("blue")
	first := wd.AttemptLogs()
	if len(first) != 1 {
		t.Fatalf("attempt logs: %v", first)
	}
	// A var file left by a run killed mid-sequence goes on the next run.
	if err := os.WriteFile(wd.VarFile(), []byte(`{"secret": "left-behind"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	second := &Runner{Binary: b.runner.Binary, WorkRoot: b.runner.WorkRoot, PluginCache: b.runner.PluginCache, Env: b.runner.Env}
	defer second.Close()
	if err := second.Init(ctx, b.stack("blue", nil)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(wd.VarFile()); !os.IsNotExist(err) {
		t.Errorf("a var file left behind should be removed when the stack is opened: %v", err)
	}
	_, err := second.Apply(ctx, b.stack("blue", map[string]cty.Value{"fail": cty.True}))
	var se *StackError
	if !errors.As(err, &se) {
		t.Fatalf("want a failed apply: %v", err)
	}
	logs := wd.AttemptLogs()
	if len(logs) != 2 || logs[0] != first[0] {
		t.Fatalf("attempt logs after the second run: %v", logs)
	}
	if se.LogPath != logs[1] || !strings.Contains(err.Error(), logs[1]) {
		t.Errorf("the error names %s, want the failed attempt's log %s", se.LogPath, logs[1])
	}
	if target, _ := os.Readlink(wd.LogFile()); target != filepath.Base(logs[1]) {
		t.Errorf("terraform.log points at %q, want the latest attempt", target)
	}
	if data, _ := os.ReadFile(first[0]); !strings.Contains(string(data), logMarker+"apply") {
		t.Errorf("the first attempt's log lost its apply:\n%s", data)
	}
}

// A stack costs init and one apply that plans and applies: no version
// probe, no separate plan, no output or state pull process (the engine
// reads the outputs from the state object, package tfstate). Outputs, for
// callers without the bucket, is one state pull; never output -json. A
// second apply with nothing to change says so.
func TestProcessesPerStack(t *testing.T) {
	t.Parallel()
	b := newBed(t, nil)
	ctx := context.Background()
	bin, record := recorder(t, b.runner.Binary.Path)
	b.runner.Binary = &Binary{Path: bin, Version: b.runner.Binary.Version}
	// Prepare, run before the backend exists, starts no process.
	if err := b.runner.Prepare(ctx, b.stack("blue", nil)); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(record); len(got) != 0 {
		t.Errorf("Prepare ran %q", got)
	}
	res, err := b.runner.Apply(ctx, b.stack("blue", nil))
	if err != nil {
		t.Fatal(err)
	}
	got := calls(t, record)
	var verbs []string
	for _, c := range got {
		verbs = append(verbs, strings.Fields(c)[0])
	}
	if strings.Join(verbs, " ") != "init apply" || !strings.Contains(got[1], "-auto-approve") || !strings.Contains(got[1], "-var-file=") {
		t.Errorf("processes for one stack: %q", got)
	}
	if !res.Changed || len(res.Timings) != 2 || res.Timings[1].Command != "apply" {
		t.Errorf("a first apply changes the stack and times each process: %+v", res)
	}
	again, err := b.runner.Apply(ctx, b.stack("blue", nil))
	if err != nil {
		t.Fatal(err)
	}
	if again.Changed || len(calls(t, record)) != len(got)+1 {
		t.Errorf("a second apply: changed %v, processes %q", again.Changed, calls(t, record)[len(got):])
	}
	got = calls(t, record)
	outs, err := b.runner.Outputs(ctx, b.stack("blue", nil))
	if err != nil || !outs.Sensitive["api_key"] || outs.Values["count"].AsBigFloat().String() != "2" {
		t.Errorf("outputs from the state: %#v %v", outs, err)
	}
	if pulled := calls(t, record)[len(got):]; len(pulled) != 1 || !strings.HasPrefix(pulled[0], "state pull") {
		t.Errorf("Outputs: %q, want one state pull", pulled)
	}
	plain := &Runner{Binary: b.runner.Binary, WorkRoot: t.TempDir(), Env: b.runner.Env}
	defer plain.Close()
	if _, err := plain.Outputs(ctx, b.stack("blue", nil)); err != nil {
		t.Fatal(err)
	}
	for _, c := range calls(t, record) {
		if strings.HasPrefix(c, "output") {
			t.Errorf("output -json prints sensitive values: %q", c)
		}
	}
}
