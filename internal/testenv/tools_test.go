package testenv

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// These tests set environment variables, so they do not run in parallel.

func TestFindMirrorMissing(t *testing.T) {
	t.Setenv(envProviderMirror, "")
	t.Setenv(envProviderCLIRC, "")
	t.Setenv("TFREBUILD_TOOLS_CACHE", t.TempDir())
	_, err := FindMirror()
	if !errors.Is(err, ErrToolMissing) || !strings.Contains(err.Error(), "../shared/tools/offline-providers.sh") {
		t.Fatalf("err = %v, want ErrToolMissing naming the script", err)
	}
}

func TestFindMirrorIncomplete(t *testing.T) {
	dir := t.TempDir()
	rc := filepath.Join(dir, "offline.tfrc")
	writeTestFile(t, rc, "provider_installation {}\n")
	t.Setenv(envProviderMirror, filepath.Join(dir, "mirror"))
	t.Setenv(envProviderCLIRC, rc)
	_, err := FindMirror()
	if !errors.Is(err, ErrToolMissing) || !strings.Contains(err.Error(), "terraform-provider-") {
		t.Fatalf("err = %v, want one naming the missing provider", err)
	}
}

func TestFindMirrorComplete(t *testing.T) {
	dir := t.TempDir()
	mirror := filepath.Join(dir, "mirror")
	for name, v := range MirrorProviders {
		writeTestFile(t, filepath.Join(mirror, "registry.terraform.io", "hashicorp", name, v, "linux_amd64", "terraform-provider-"+name+"_v"+v), "")
	}
	rc := filepath.Join(dir, "offline.tfrc")
	writeTestFile(t, rc, "provider_installation {}\n")
	t.Setenv(envProviderMirror, "")
	t.Setenv(envProviderCLIRC, "")
	t.Setenv("TFREBUILD_TOOLS_CACHE", dir) // found in the cache without the variables
	m, err := FindMirror()
	if err != nil || m.Dir != mirror || m.CLIConfig != rc {
		t.Fatalf("FindMirror() = %+v, %v", m, err)
	}
	e := &Env{Dir: dir, Vars: map[string]string{}}
	if err := e.UseMirror(m); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(e.Vars["TF_CLI_CONFIG_FILE"])
	if err != nil || !strings.Contains(string(b), "provider_installation") || !strings.Contains(string(b), "disable_checkpoint") {
		t.Fatalf("CLI config %q, %v", b, err)
	}
}

func TestFindTofu(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	t.Setenv(envTofu, "")
	if _, err := FindTofu(); !errors.Is(err, ErrToolMissing) || !strings.Contains(err.Error(), "offline-tofu.sh") {
		t.Fatalf("err = %v, want ErrToolMissing naming the script", err)
	}
	bin := filepath.Join(t.TempDir(), "tofu")
	writeTestFile(t, bin, "#!/bin/sh\n")
	if err := os.Chmod(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(envTofu, bin)
	if got, err := FindTofu(); err != nil || got != bin {
		t.Fatalf("FindTofu() = %q, %v", got, err)
	}
}

func TestToolScript(t *testing.T) {
	dir := t.TempDir()
	writeTestFile(t, filepath.Join(dir, providersScript), "")
	t.Setenv("TFREBUILD_TOOLS_DIR", dir)
	if got, err := ToolScript(providersScript); err != nil || got != filepath.Join(dir, providersScript) {
		t.Fatalf("ToolScript = %q, %v", got, err)
	}
	if _, err := ToolScript(tofuScript); err == nil {
		t.Fatal("want an error for a script that is not there")
	}
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

// The hash Terraform wrote into examples/orders-aws's lock files is what
// Mirror.Hash computes, when the real mirror is here.
func TestMirrorHashMatchesTerraform(t *testing.T) {
	m := ProviderMirror(t)
	lock, err := os.ReadFile(filepath.Join(RepoRoot(), "examples", "orders-aws", "stacks", "env", ".terraform.lock.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	h, err := m.Hash("aws", MirrorProviders["aws"])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(lock), `"`+h+`"`) {
		t.Fatalf("Mirror.Hash = %s, not in the lock file Terraform wrote:\n%s", h, lock)
	}
}
