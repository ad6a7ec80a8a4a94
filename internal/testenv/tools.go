package testenv

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// The tools this machine cannot download (real providers, OpenTofu) are
// built from source by scripts kept beside the repository, in
// ../shared/tools. They print the variables below; tests and the demo read
// only these variables, so tfrebuild itself never depends on the scripts.
const (
	envProviderMirror = "TFREBUILD_PROVIDER_MIRROR"
	envProviderCLIRC  = "TFREBUILD_PROVIDER_CLIRC"
	envTofu           = "TFREBUILD_TOFU"

	providersScript = "offline-providers.sh"
	tofuScript      = "offline-tofu.sh"
)

// ErrToolMissing is returned (wrapped) when a tool built by the shared
// scripts is not there; the error says which script builds it.
var ErrToolMissing = errors.New("tool not built")

// requireTool fails the test under CI=true, and skips it elsewhere, with
// err's message: the rule Require follows for tools on PATH.
func requireTool(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(err)
	}
	t.Skip(err)
}

// missing builds the error for a tool that a shared script builds.
func missing(what, script, detail string) error {
	return fmt.Errorf("%w: %s: %s; build it with\n\teval \"$(../shared/tools/%s)\"\n"+
		"(run from the repository root; cached in ~/.cache/tfrebuild-tools, instant after the first build)",
		ErrToolMissing, what, detail, script)
}

// ToolScript finds one of the shared build scripts: in $TFREBUILD_TOOLS_DIR
// when set, else in shared/tools of the repository's parent folder or any
// folder above it (a worktree may sit deeper than the main checkout), else
// the repository's own copy in .ci/offline (as .ci/tools does).
func ToolScript(name string) (string, error) {
	if dir := os.Getenv("TFREBUILD_TOOLS_DIR"); dir != "" {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("TFREBUILD_TOOLS_DIR=%s has no %s: %w", dir, name, err)
		}
		return p, nil
	}
	for dir := filepath.Dir(RepoRoot()); ; dir = filepath.Dir(dir) {
		p := filepath.Join(dir, "shared", "tools", name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		if dir == filepath.Dir(dir) {
			p := filepath.Join(RepoRoot(), ".ci", "offline", name)
			if _, err := os.Stat(p); err != nil {
				return "", fmt.Errorf("%s not found in shared/tools above %s, nor in .ci/offline; set TFREBUILD_TOOLS_DIR", name, RepoRoot())
			}
			return p, nil
		}
	}
}

// RepoRoot is the repository this package was built from.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// toolsCache is where the shared scripts keep what they build.
func toolsCache() string {
	if c := os.Getenv("TFREBUILD_TOOLS_CACHE"); c != "" {
		return c
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".cache", "tfrebuild-tools")
}
