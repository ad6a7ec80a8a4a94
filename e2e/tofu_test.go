package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

// Switching a rebuilt target from Terraform to OpenTofu re-plans every
// stack (none is "up to date"), keeps every resource (OpenTofu takes over
// Terraform's states), and the next apply on OpenTofu finds nothing to
// change.
func TestSwitchingToOpenTofuReplansEveryStack(t *testing.T) {
	t.Parallel()
	tofu := testenv.Tofu(t)
	tg := newTarget(t, "switchengine")
	tg.write(slowStacks(tg.project, false, 0))
	wantCode(t, tg.run("apply", "--yes"), 0)
	before := map[string]tfState{}
	for _, s := range []string{"base", "blue", "join"} {
		before[s] = *tg.state(s)
	}

	tg.tofu = tofu
	tg.write(slowStacks(tg.project, false, 0))
	res := tg.run("apply", "--yes")
	wantCode(t, res, 0)
	if strings.Contains(res.Stderr, "up to date") {
		t.Errorf("after switching engines every stack must be planned again:\n%s", res.Stderr)
	}
	if !strings.Contains(res.Stderr, "opentofu "+tofuVersion+" at "+tofu) || !strings.Contains(res.Stdout, "engine: opentofu "+tofuVersion) {
		t.Errorf("the run does not name OpenTofu:\nstdout:\n%s\nstderr:\n%s", res.Stdout, res.Stderr)
	}
	for s, was := range before {
		st := tg.state(s)
		if st == nil || st.Lineage != was.Lineage || !reflect.DeepEqual(st.Resources, was.Resources) {
			t.Errorf("%s after the switch: %+v, was %+v", s, st, was)
		}
	}
	// The next apply is a new rebuild: every stack is checked against the
	// cloud again on OpenTofu, and finds nothing to change.
	res = tg.run("apply", "--yes")
	wantCode(t, res, 0)
	for _, s := range []string{"stack.base", "stack.blue", "stack.join"} {
		if !strings.Contains(lineOf(res.Stderr, s, "no changes"), "no changes") {
			t.Errorf("%s should find no changes on the same engine:\n%s", s, res.Stderr)
		}
	}
	status := tg.run("status")
	wantCode(t, status, 0)
	if !strings.Contains(status.Stdout, "engine: opentofu "+tofuVersion) {
		t.Errorf("status does not name the engine:\n%s", status.Stdout)
	}
}

// A stack with a real provider and no committed lock file, on both
// engines: the run says the stack has no lock file and keeps the one the
// engine made in the work folder, never in the source tree. Then the
// stack drifts (a file it manages is deleted by hand) and an operator
// with a fresh checkout plans (exactly that file) and applies: the file
// is back and its sibling untouched.
func TestDriftRepairAndLockFiles(t *testing.T) {
	t.Parallel()
	forEachEngine(t, driftRepairAndLockFiles)
}

func driftRepairAndLockFiles(t *testing.T, e engine) {
	mirror := testenv.ProviderMirror(t)
	tg := e.target(t, "drift")
	if err := tg.env.UseMirror(mirror); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tg.dir, "out")
	tg.write(`
stack "files" {
  source = "{{stacks}}/files"
  inputs = { dir = "` + out + `" }
}
`)
	src, _ := filepath.Abs(filepath.Join("testdata", "stacks", "files"))
	before := treeSnapshot(t, src)

	res := tg.run("apply", "--yes")
	wantCode(t, res, 0)
	kept := filepath.Join(tg.dir, ".tfrebuild", "work", "files", ".terraform.lock.hcl")
	if len(lines(res.Stdout+res.Stderr, "stack.files", "has no .terraform.lock.hcl", kept)) == 0 {
		t.Errorf("the run does not say that the stack has no committed lock file:\nstdout:\n%s\nstderr:\n%s", res.Stdout, res.Stderr)
	}
	// #28.5: the note gives the command that pins the versions, once.
	if n := len(lines(res.Stderr, "stack.files", "Pin them: cp "+kept+" "+filepath.Join(src, ".terraform.lock.hcl"))); n != 1 {
		t.Errorf("the note with the command that pins the lock file is there %d times, want once:\n%s", n, res.Stderr)
	}
	if b, err := os.ReadFile(kept); err != nil || !strings.Contains(string(b), "hashicorp/local") {
		t.Errorf("the generated lock file is not kept in the work folder (%s): %v", kept, err)
	}
	if after := treeSnapshot(t, src); !reflect.DeepEqual(before, after) {
		t.Errorf("the run wrote into the stack's source:\nbefore %v\nafter  %v", before, after)
	}

	// Drift, and an operator's fresh checkout (no checkpoint).
	b := filepath.Join(out, "b.txt")
	bInfo, err := os.Stat(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(out, "a.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(tg.dir, ".tfrebuild")); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(tg.dir, "plan.json")
	wantCode(t, tg.run("plan", "--json", report, "--detailed-exitcode"), 2)
	var doc planDoc
	if err := json.Unmarshal([]byte(readFile(t, report)), &doc); err != nil {
		t.Fatal(err)
	}
	files := doc.Stages[doc.stage(t, "stack.files")]
	if files.State != "existing" || len(files.Actions) != 1 || files.Actions[0].Address != "local_file.a" || files.Actions[0].Action != "create" {
		t.Errorf("the plan should show exactly local_file.a to create: %+v", files)
	}

	res = tg.run("apply", "--yes")
	wantCode(t, res, 0)
	if l := lines(res.Stderr, "stack.files", "repaired drift"); len(l) != 1 || !strings.Contains(l[0], "local_file.a created") || strings.Contains(l[0], "local_file.b") {
		t.Errorf("apply should report exactly the drift it repaired (local_file.a created): %q\n%s", l, res.Stderr)
	}
	if got, err := os.ReadFile(filepath.Join(out, "a.txt")); err != nil || string(got) != "a" {
		t.Errorf("a.txt not re-created: %q %v", got, err)
	}
	if info, err := os.Stat(b); err != nil || !info.ModTime().Equal(bInfo.ModTime()) {
		t.Errorf("b.txt, which had not drifted, was written")
	}
	if after := treeSnapshot(t, src); !reflect.DeepEqual(before, after) {
		t.Errorf("the repair wrote into the stack's source")
	}
}

// A committed lock file that the provider does not match stops the stack
// with an error that names the stack and the provider, on both engines,
// and the lock file is left as it was: a checksum the provider does not
// have (the engine says so), and a version the stack no longer allows
// (tfrebuild's hint says what to do).
func TestLockFileMismatchNamesStackAndProvider(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, e engine) {
		mirror := testenv.ProviderMirror(t)
		for i, c := range []struct{ version, want string }{
			{"1.4.0", "hashicorp/local"},
			{"1.3.0", "stack files: its committed lock file is honoured read-only"},
		} {
			tg := e.target(t, "lockmismatch"+strconv.Itoa(i))
			if err := tg.env.UseMirror(mirror); err != nil {
				t.Fatal(err)
			}
			stacks := copyStacks(t, tg.dir)
			host := "registry.terraform.io"
			if tg.tofu != "" {
				host = "registry.opentofu.org"
			}
			lock := filepath.Join(stacks, "files", ".terraform.lock.hcl")
			text := `provider "` + host + `/hashicorp/local" {
  version     = "` + c.version + `"
  constraints = "` + c.version + `"
  hashes = [
    "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
  ]
}
`
			writeFile(t, lock, text)
			tg.write(`
stack "files" {
  source = "` + filepath.Join(stacks, "files") + `"
  inputs = { dir = "` + filepath.Join(tg.dir, "out") + `" }
}
`)
			res := tg.run("apply", "--yes")
			wantCode(t, res, 1)
			all := res.Stdout + res.Stderr
			if len(lines(all, "stack.files", "failed")) == 0 || !strings.Contains(all, "hashicorp/local") || !strings.Contains(all, c.want) {
				t.Errorf("lock file at %s: want an error naming stack.files and hashicorp/local (%q):\nstdout:\n%s\nstderr:\n%s", c.version, c.want, res.Stdout, res.Stderr)
			}
			if got := readFile(t, lock); got != text {
				t.Errorf("the run rewrote the committed lock file:\n%s", got)
			}
		}
	})
}

// A stack's env and var_files reach its engine, on both engines: the var
// file gives blue its colour (no input does), and the app's provisioner
// drops its marker where the stack's env, not the caller's, says.
func TestStackEnvAndVarFilesReachTheEngine(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, e engine) {
		tg := e.target(t, "stackenv")
		markers := filepath.Join(tg.dir, "stack-markers")
		writeFile(t, filepath.Join(tg.dir, "blue.tfvars"), "colour = \"teal\"\n")
		tg.write(strings.Replace(slowStacks(tg.project, false, 0), "    colour        = \"blue\"\n", "", 1))
		path := filepath.Join(tg.dir, "rebuild.hcl")
		cfg := readFile(t, path)
		cfg = strings.Replace(cfg, "stack \"blue\" {\n", "stack \"blue\" {\n  env       = { E2E_MARKERS = \""+markers+"\" }\n  var_files = [\"blue.tfvars\"]\n", 1)
		writeFile(t, path, cfg)

		res := tg.run("apply", "--yes")
		wantCode(t, res, 0)
		if _, err := os.Stat(filepath.Join(markers, "teal")); err != nil {
			t.Errorf("blue's provisioner did not see the stack's env with the var file's colour: %v", err)
		}
		if got := tg.state("blue").Outputs["url"].Value; got != "https://teal.net-core.internal" {
			t.Errorf("blue.url = %v: the var file did not reach the engine", got)
		}
		if strings.Contains(tg.checkpointText(), "teal") || strings.Contains(res.Stdout+res.Stderr, markers) {
			t.Error("the env value or the var file's content leaked into the checkpoint or the output")
		}
	})
}

// #28.5: validate knows the engine: an OpenTofu config that finds its
// binary gets no warning (it used to warn that Terraform 1.12.6, the
// OpenTofu version read as Terraform's, was missing), and one whose
// binary is missing is told OpenTofu is, and that it is never downloaded.
func TestValidateKnowsTheEngine(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, "validtofu")
	tg.tofu = testenv.Tofu(t)
	tg.write(strings.ReplaceAll(fourStacks, "%s", tg.project))
	res := tg.run("validate")
	wantCode(t, res, 0)
	if strings.Contains(res.Stderr, "warning") {
		t.Errorf("validate warns about an engine it has:\n%s", res.Stderr)
	}
	path := tg.write(strings.ReplaceAll(fourStacks, "%s", tg.project))
	writeFile(t, path, strings.Replace(readFile(t, path), fmt.Sprintf("  path    = %q\n", tg.tofu), "", 1))
	tg.env.Vars[terraformTofuEnv] = "" // and tofu is not on PATH
	res = tg.run("validate")
	wantCode(t, res, 0)
	if !strings.Contains(res.Stderr, "warning:") || strings.Contains(res.Stderr, "warning: terraform") || !strings.Contains(res.Stderr, "stops at preflight until it is installed") {
		t.Errorf("validate should warn that OpenTofu is missing:\n%s", res.Stderr)
	}
}

const terraformTofuEnv = "TFREBUILD_TOFU"
