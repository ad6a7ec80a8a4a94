package terraform

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

// tofuPath finds the OpenTofu that tools/offline-tofu.sh builds: $TFREBUILD_TOFU,
// else its default place. Missing, the test fails in CI and skips elsewhere.
func tofuPath(t *testing.T) string {
	t.Helper()
	p := os.Getenv(TofuEnv)
	if p == "" {
		home, _ := os.UserHomeDir()
		p = filepath.Join(home, ".cache", "tfrebuild-tools", "tofu-1.12.6", "tofu")
	}
	if _, err := os.Stat(p); err != nil {
		msg := "OpenTofu is not built: run eval \"$(../shared/tools/offline-tofu.sh)\" to build it and export " + TofuEnv
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

func TestFindEngineTerraform(t *testing.T) {
	testenv.Require(t, "terraform")
	ctx := context.Background()
	path, _ := exec.LookPath("terraform")
	bin, err := FindEngine(ctx, Engine{Name: EngineTerraform, Path: path}, InstalledOnly)
	if err != nil || bin.Engine != EngineTerraform || bin.Path != path || bin.Program() != "terraform" {
		t.Fatalf("terraform at its path: %+v %v", bin, err)
	}
	if _, err := FindEngine(ctx, Engine{Path: path, Version: "1.5.0"}, InstalledOnly); err == nil || !strings.Contains(err.Error(), "pins 1.5.0") || !strings.Contains(err.Error(), path) {
		t.Errorf("a pinned version the binary is not: %v", err)
	}
	if _, err := FindEngine(ctx, Engine{Name: "pulumi"}, InstalledOnly); err == nil {
		t.Error("an unknown engine is an error")
	}
	// Terraform where OpenTofu is wanted: the error says where it looked.
	t.Setenv(TofuEnv, path)
	t.Setenv("PATH", t.TempDir())
	_, err = FindEngine(ctx, Engine{Name: EngineOpenTofu, Version: "1.12.6"}, InstalledOnly)
	for _, want := range []string{"$" + TofuEnv, "not OpenTofu", "tofu is not on PATH", "OpenTofu 1.12.6 not found"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("the error should say %q: %v", want, err)
		}
	}
}

func TestFindEngineOpenTofu(t *testing.T) {
	tofu := tofuPath(t)
	ctx := context.Background()
	t.Setenv(TofuEnv, tofu)
	bin, err := FindEngine(ctx, Engine{Name: EngineOpenTofu, Version: "1.12.6"}, InstalledOnly)
	if err != nil || bin.Engine != EngineOpenTofu || bin.Version != "1.12.6" || bin.Program() != "tofu" {
		t.Fatalf("OpenTofu from $%s: %+v %v", TofuEnv, bin, err)
	}
	_, err = FindEngine(ctx, Engine{Name: EngineOpenTofu, Version: "1.6.0"}, InstalledOnly)
	if err == nil || !strings.Contains(err.Error(), "pins 1.6.0") || !strings.Contains(err.Error(), tofu) {
		t.Errorf("a version mismatch names the binary and the pin: %v", err)
	}
}

// Every call the runner makes works with OpenTofu through terraform-exec.
func TestOpenTofuRunsEveryCommand(t *testing.T) {
	tofu := tofuPath(t)
	t.Parallel()
	b := newBed(t, nil)
	bin, err := FindEngine(context.Background(), Engine{Name: EngineOpenTofu, Path: tofu}, InstalledOnly)
	if err != nil {
		t.Fatal(err)
	}
	b.runner.Binary = bin
	ctx := context.Background()
	before := snapshot(t, b.src)
	if _, err := b.runner.Apply(ctx, b.stack("blue", nil)); err != nil {
		t.Fatal(err)
	}
	outs, err := b.runner.Outputs(ctx, b.stack("blue", nil))
	if err != nil || outs.Values["greeting"].AsString() != "HELLO BLUE" || !outs.Sensitive["api_key"] {
		t.Errorf("outputs: %#v %v", outs, err)
	}
	if p, err := b.runner.Plan(ctx, b.stack("blue", nil)); err != nil || p.HasChanges() {
		t.Errorf("a second plan changes nothing: %+v %v", p, err)
	}
	wrapped := b.stack("empty", nil)
	wrapped.Wrap, wrapped.Outputs = true, map[string]bool{"greeting": false}
	if p, err := b.runner.Plan(ctx, wrapped); err != nil || !p.HasChanges() {
		t.Errorf("a plan against an empty state creates: %+v %v", p, err)
	}
	imp := b.stack("imported", nil)
	if err := b.runner.Import(ctx, imp, "terraform_data.items[0]", "x"); err != nil {
		t.Fatal(err)
	}
	if has, err := b.runner.StateHas(ctx, imp, "terraform_data.items[0]"); err != nil || !has {
		t.Errorf("StateHas after import: %v %v", has, err)
	}
	missing := b.stack("blue", map[string]cty.Value{"fail": cty.True})
	missing.Env = map[string]string{"TF_CLI_CONFIG_FILE": filepath.Join(t.TempDir(), "absent.tfrc")}
	if _, err := b.runner.Apply(ctx, missing); err == nil || !strings.Contains(err.Error(), "absent.tfrc") {
		t.Errorf("a missing CLI config under OpenTofu should be named: %v", err)
	}
	_, err = b.runner.Apply(ctx, b.stack("blue", map[string]cty.Value{"fail": cty.True}))
	if err == nil || !strings.Contains(err.Error(), "tofu apply failed") {
		t.Errorf("a failure names the engine: %v", err)
	}
	if changed, err := b.runner.Destroy(ctx, b.stack("blue", nil)); err != nil || !changed {
		t.Errorf("destroy: %v %v", changed, err)
	}
	sameTree(t, before, snapshot(t, b.src))
}
