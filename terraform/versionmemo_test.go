package terraform

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeEngine writes a script that answers version questions as the given
// engine would, and counts them.
func fakeEngine(t *testing.T, dir, title, version string) (bin, record string) {
	t.Helper()
	bin, record = filepath.Join(dir, "terraform"), filepath.Join(dir, "calls")
	script := "#!/bin/sh\necho \"$*\" >> '" + record + "'\n" +
		"if [ \"$2\" = -json ]; then echo '{\"terraform_version\":\"" + version + "\"}'; else echo '" + title + " v" + version + "'; fi\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin, record
}

func countLines(path string) int {
	b, _ := os.ReadFile(path)
	return len(strings.Fields(strings.ReplaceAll(string(b), " ", "_")))
}

// A binary's version is asked once; an unchanged file is not asked again,
// and a replaced one is.
func TestVersionsAreRemembered(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	ctx := context.Background()
	dir := t.TempDir()
	bin, record := fakeEngine(t, dir, "Terraform", "1.11.4")
	for range 2 {
		if v, err := versionOf(ctx, bin); err != nil || v != "1.11.4" {
			t.Fatalf("versionOf: %q %v", v, err)
		}
		if e, v, err := identify(ctx, bin); err != nil || e != EngineTerraform || v != "1.11.4" {
			t.Fatalf("identify: %q %q %v", e, v, err)
		}
	}
	if n := countLines(record); n != 1 {
		t.Errorf("an unchanged binary was asked its version %d times", n)
	}
	t.Setenv("PATH", dir)
	if b, err := Find(ctx, "1.11.4", InstalledOnly); err != nil || b.Path != bin {
		t.Errorf("Find with a remembered version: %+v %v", b, err)
	}
	if n := countLines(record); n != 1 {
		t.Errorf("Find asked a remembered binary again: %d", n)
	}
	// Replaced by another engine: asked again.
	_ = os.Remove(record)
	bin, record = fakeEngine(t, dir, "OpenTofu", "1.12.6")
	if e, v, err := identify(ctx, bin); err != nil || e != EngineOpenTofu || v != "1.12.6" {
		t.Errorf("a replaced binary: %q %q %v", e, v, err)
	}
	if countLines(record) == 0 {
		t.Error("a replaced binary was not asked")
	}
}
