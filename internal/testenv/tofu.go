package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// FindTofu finds the OpenTofu binary built by offline-tofu.sh: from
// TFREBUILD_TOFU, else tofu on PATH.
func FindTofu() (string, error) {
	path := os.Getenv(envTofu)
	if path == "" {
		if p, err := exec.LookPath("tofu"); err == nil {
			return p, nil
		}
		return "", missing("OpenTofu", tofuScript, envTofu+" is not set and tofu is not on PATH")
	}
	info, err := os.Stat(path)
	if err != nil || info.IsDir() || info.Mode()&0o111 == 0 {
		return "", missing("OpenTofu", tofuScript, envTofu+"="+path+" is not an executable file")
	}
	return path, nil
}

// Tofu returns the OpenTofu binary for a test that runs it. Without one it
// fails under CI=true and skips elsewhere, saying to run
// ../shared/tools/offline-tofu.sh.
func Tofu(t testing.TB) string {
	t.Helper()
	path, err := FindTofu()
	if err != nil {
		requireTool(t, err)
	}
	return path
}
