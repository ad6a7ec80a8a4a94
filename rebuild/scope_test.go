package rebuild

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/stages"
	"github.com/tfrebuild/tfrebuild/terraform"
)

// newOptionalWorld is newWorld with an optional stack "extra" that
// depends on base.
func newOptionalWorld(t *testing.T) *world {
	t.Helper()
	w := newWorld(t)
	dir := w.cfg.Dir
	writeTestFile(t, filepath.Join(dir, "stacks/extra/main.tf"), backend+"variable \"id\" {\n  type = string\n}\noutput \"e\" {\n  value = var.id\n}\n")
	writeTestFile(t, filepath.Join(dir, "rebuild.hcl"), testConfig+`stack "extra" {
  source     = "stacks/extra"
  optional   = true
  depends_on = [stack.base]
  inputs     = { id = stack.base.outputs.id }
}
`)
	w.reload()
	w.tf.outputs["extra"] = map[string]cty.Value{"e": cty.StringVal("x")}
	return w
}

func (w *world) reload() {
	w.t.Helper()
	cfg, diags := config.Load(filepath.Join(w.cfg.Dir, filepath.Base(w.cfg.Filename)))
	if diags.HasErrors() {
		w.t.Fatal(config.DiagnosticsError(diags))
	}
	w.cfg = cfg
}

func writeTestFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (w *world) applyScope(s Scope, change bool) error {
	c := w.common()
	c.With, c.Only, c.WithDeps = s.With, s.Only, s.WithDeps
	_, err := Apply(context.Background(), w.cfg, ApplyOptions{Common: c, ChangeScope: change})
	return err
}

// #11.1: a resume with another --with set is refused with the command that
// continues the rebuild; --change-scope overrides; a complete rebuild does
// not bind the next.
func TestAResumeKeepsTheScopeOfTheRebuildInProgress(t *testing.T) {
	t.Parallel()
	w := newOptionalWorld(t)
	w.tf.fail["extra"] = errBoom
	if err := w.applyScope(Scope{With: []string{"extra"}}, false); !errors.Is(err, errBoom) {
		t.Fatalf("first apply: %v", err)
	}
	delete(w.tf.fail, "extra")
	calls := len(w.tf.appliedList())
	err := w.applyScope(Scope{}, false)
	want := "tfrebuild apply --config " + w.cfg.Filename + " --with extra"
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "--change-scope") {
		t.Fatalf("a resume without --with extra: %v, want a refusal naming %q", err, want)
	}
	if len(w.tf.appliedList()) != calls {
		t.Errorf("the refused resume ran Terraform: %v", w.tf.appliedList())
	}
	if c := w.checkpoint(); !slices.Equal(c.With, []string{"extra"}) {
		t.Errorf("the refused resume rewrote the scope: %v", c.With)
	}
	// Continuing with the same set works and completes.
	if err := w.applyScope(Scope{With: []string{"extra"}}, false); !errors.Is(err, stages.ErrWaiting) {
		t.Fatalf("resume with --with extra: %v", err)
	}
	if !slices.Contains(w.tf.appliedList(), "extra") {
		t.Errorf("extra was not applied on resume: %v", w.tf.appliedList())
	}
	// Still in progress (waiting at the step): --change-scope overrides.
	if err := w.applyScope(Scope{}, true); !errors.Is(err, stages.ErrWaiting) {
		t.Fatalf("--change-scope: %v", err)
	}
	if c := w.checkpoint(); len(c.With) != 0 {
		t.Errorf("--change-scope kept the old scope %v", c.With)
	}
	w.confirm()
	if err := w.applyScope(Scope{}, false); err != nil {
		t.Fatalf("complete: %v", err)
	}
	// Complete: the next rebuild may choose its own scope.
	if err := w.applyScope(Scope{With: []string{"extra"}}, false); err != nil {
		t.Errorf("an apply after a complete rebuild is bound by its scope: %v", err)
	}
}

// #11.6: a checkpoint written before the guard refused a typo (nothing
// applied) does not bind the fixed target.
func TestACheckpointWithNothingAppliedDoesNotBind(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.cfg.Target.AccountID = "210987654321"
	deps := w.deps()
	connect := deps.Connect
	deps.Connect = func(context.Context, *config.Config) (*Connection, error) {
		return nil, errors.New("guard: wrong account")
	}
	c := w.common()
	c.Deps = deps
	if _, err := Apply(context.Background(), w.cfg, ApplyOptions{Common: c}); err == nil {
		t.Fatal("the guard should refuse")
	}
	if got := w.checkpoint().Account; got != "210987654321" {
		t.Fatalf("test premise: checkpoint for %s", got)
	}
	w.reload()
	deps.Connect = connect
	c.Deps = deps
	if _, err := Apply(context.Background(), w.cfg, ApplyOptions{Common: c}); !errors.Is(err, stages.ErrWaiting) {
		t.Fatalf("after fixing the account: %v", err)
	}
	if got := w.checkpoint().Account; got != "123456789012" {
		t.Errorf("checkpoint account %s", got)
	}
}

// #11.6: messages name the real config file, and its state dir.
func TestAnotherConfigHasItsOwnStateDir(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	b, _ := os.ReadFile(filepath.Join(w.cfg.Dir, "rebuild.hcl"))
	writeTestFile(t, filepath.Join(w.cfg.Dir, "drill.hcl"), string(b))
	cfg, diags := config.Load(filepath.Join(w.cfg.Dir, "drill.hcl"))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if got := cfg.StateDir(); got != filepath.Join(w.cfg.Dir, ".tfrebuild-drill") {
		t.Errorf("state dir of drill.hcl: %s", got)
	}
	w.cfg = cfg
	w.store.Path = filepath.Join(cfg.StateDir(), "checkpoint.json")
	other := w.checkpointFor("210987654321")
	if err := w.store.Save(context.Background(), other); err != nil {
		t.Fatal(err)
	}
	_, err := w.apply()
	if err == nil || !strings.Contains(err.Error(), "drill.hcl targets") || !strings.Contains(err.Error(), ".tfrebuild-drill") {
		t.Errorf("refusal should name drill.hcl and its state dir: %v", err)
	}
}

// #11.10: --only runs the named stack, reading its upstream from state;
// without --with-deps an upstream not done is refused before any write.
func TestOnlyRunsTheNamedStacks(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	err := w.applyScope(Scope{Only: []string{"app"}}, false)
	if err == nil || !strings.Contains(err.Error(), `"base"`) || !strings.Contains(err.Error(), "--only app --with-deps") {
		t.Fatalf("--only app on an empty target: %v", err)
	}
	if len(w.tf.appliedList()) != 0 || w.cloud.called("EnsureBucket") != 0 {
		t.Errorf("refused --only wrote: %v %v", w.tf.appliedList(), w.cloud.calls)
	}
	if err := w.applyScope(Scope{Only: []string{"app"}, WithDeps: true}, false); err != nil {
		t.Fatalf("--only app --with-deps: %v", err)
	}
	if got := w.tf.appliedList(); !slices.Equal(got, []string{"base", "app"}) {
		t.Errorf("--with-deps applied %v", got)
	}
	c := w.checkpoint()
	if c.Stages["step.handoff"] != nil {
		t.Errorf("the step ran in an --only run: %+v", c.Stages["step.handoff"])
	}
	// Finish the rebuild, then re-run app alone: base comes from its state.
	if err := w.applyScope(Scope{}, true); !errors.Is(err, stages.ErrWaiting) {
		t.Fatal(err)
	}
	w.confirm()
	if err := w.applyScope(Scope{}, false); err != nil {
		t.Fatal(err)
	}
	before := w.checkpoint().Stages["stack.base"]
	w.tf.mu.Lock()
	w.tf.applied, w.tf.state["base"] = nil, map[string]cty.Value{"id": cty.StringVal("from-state")}
	w.tf.mu.Unlock()
	if err := w.applyScope(Scope{Only: []string{"app"}}, false); err != nil {
		t.Fatalf("--only app: %v", err)
	}
	if got := w.tf.appliedList(); !slices.Equal(got, []string{"app"}) {
		t.Errorf("--only app applied %v", got)
	}
	if v := w.tf.vars["app"]["id"]; !v.RawEquals(cty.StringVal("from-state")) {
		t.Errorf("app's input from base's state: %#v", v)
	}
	after := w.checkpoint()
	if r := after.Stages["stack.base"]; r.Status != stages.Done || r.Attempts != before.Attempts {
		t.Errorf("--only touched base's record: %+v", r)
	}
	if r := after.Stages["step.handoff"]; r.Status != stages.Done {
		t.Errorf("--only touched the step's record: %+v", r)
	}
}

func TestOnlyPlanReadsUpstreamState(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.cloud.noState[terraform.StateKey("p", "base")] = true
	c := w.common()
	c.Only = []string{"app"}
	if _, err := Plan(context.Background(), w.cfg, PlanOptions{Common: c}); err == nil || !strings.Contains(err.Error(), "--with-deps") {
		t.Fatalf("plan --only app without base's state: %v", err)
	}
	delete(w.cloud.noState, terraform.StateKey("p", "base"))
	w.tf.state["base"] = map[string]cty.Value{"id": cty.StringVal("s")}
	rep, err := Plan(context.Background(), w.cfg, PlanOptions{Common: c})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range rep.Stages {
		if s.Name == "stack.base" && s.Status != stages.Skipped || s.Name == "stack.app" && s.Status != stages.Done {
			t.Errorf("%s: %s", s.Name, s.Status)
		}
	}
	if v := w.tf.vars["app"]["id"]; !v.RawEquals(cty.StringVal("s")) {
		t.Errorf("app planned with %#v", v)
	}
}

// checkpointFor is a checkpoint of another account with a stage applied.
func (w *world) checkpointFor(account string) *checkpoint.Checkpoint {
	c := checkpoint.New("p", account, "eu-west-2")
	c.Stage("state").Status = stages.Done
	return c
}
