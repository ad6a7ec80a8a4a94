package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// failFile makes link's apply fail on demand, on both sides alike: a
// terraform_data (built into the engine: nothing to install) whose
// local-exec exits 1 when var.fail is true. It is added to the stacks'
// copy before anything runs, so that no init digest changes later.
const failFile = `variable "fail" {
  type    = bool
  default = false
}

resource "terraform_data" "fail" {
  count = var.fail ? 1 : 0
  provisioner "local-exec" {
    command = "exit 1"
  }
}
`

func addFailFile(stacks string) error {
	return os.WriteFile(filepath.Join(stacks, "link", "bench_fail.tf"), []byte(failFile), 0o600)
}

// failingLink is a realistic config whose link stack fails.
func failingLink(config string) string {
	return strings.Replace(config, "    api_key   = stack.shared.outputs.api_key\n",
		"    api_key   = stack.shared.outputs.api_key\n    fail      = true\n", 1)
}

// resume measures a resume after link failed late in a rebuild (the
// stacks before it done), against applying link again directly in its
// initialised folder after the same failure there.
func (rb *realBench) resume(ctx context.Context, dir, project string, ra *runAll) (tool, direct time.Duration, err error) {
	cfg := realConfig(project, rb.stacks, rb.proxy.URL)
	if err := writeConfig(dir, failingLink(cfg)); err != nil {
		return 0, 0, err
	}
	if _, _, err := rb.apply(dir); err == nil {
		return 0, 0, errUnexpectedSuccess
	}
	if err := writeConfig(dir, cfg); err != nil {
		return 0, 0, err
	}
	if tool, _, err = rb.apply(dir); err != nil {
		return 0, 0, err
	}
	ra.failLink = true
	if err := ra.writeVars("link"); err != nil {
		return 0, 0, err
	}
	if _, err := ra.tfStack(ctx, "link", "apply", "-input=false", "-auto-approve", "-var-file="+ra.vars("link")); err == nil {
		return 0, 0, errUnexpectedSuccess
	}
	ra.failLink = false
	if err := ra.writeVars("link"); err != nil {
		return 0, 0, err
	}
	start := time.Now()
	if _, err := ra.tfStack(ctx, "link", "apply", "-input=false", "-auto-approve", "-var-file="+ra.vars("link")); err != nil {
		return 0, 0, err
	}
	return tool, time.Since(start), nil
}
