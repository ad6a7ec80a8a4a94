package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

// exitWaiting is apply's exit code when the rebuild stops at a manual step.
const exitWaiting = 3

// runbook is `make demo-runbook`: examples/runbook-aws rebuilt in its own
// region, then, with its region-loss config, in the other one. Each round
// stops at the handoff step, confirms it as the operator would, and
// resumes to the end.
func runbook(ctx context.Context, o options, env *testenv.Env, url, dir string) error {
	fmt.Fprintf(os.Stderr, "demo: seeding the data to restore: table %s (point-in-time recovery on) in %s and its replica in %s, versioned bucket %s in %s\n",
		liveTable, lostRegion, drRegion, replicaBucket, drRegion)
	if err := seed(ctx, url); err != nil {
		return err
	}
	rounds := []struct{ title, config, region string }{
		{"the runbook, in " + lostRegion, o.config, lostRegion},
		{lostRegion + " is lost: the same environment rebuilt in " + drRegion, o.drConfig, drRegion},
	}
	for i, r := range rounds {
		cfg, err := emulatorCopy(r.config, filepath.Join(dir, fmt.Sprintf("round%d", i+1)), o.endpointInput, url)
		if err != nil {
			return err
		}
		// The operator's shell selects the region being rebuilt; the guard
		// refuses a run whose environment and target disagree.
		env.Vars["AWS_REGION"] = r.region
		fmt.Fprintf(os.Stderr, "\ndemo: === %s (%s, AWS_REGION=%s) ===\n\n", r.title, r.config, r.region)
		if err := round(ctx, o.bin, env, cfg); err != nil {
			return fmt.Errorf("%s: %w", r.config, err)
		}
	}
	return nil
}

// round applies until the handoff step waits, confirms it, and applies
// again to the end.
func round(ctx context.Context, bin string, env *testenv.Env, cfg string) error {
	apply := []string{"apply", "--config", cfg, "--with", "green", "--yes"}
	err := tfrebuild(ctx, bin, env, apply...)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitWaiting {
		return fmt.Errorf("apply: want it to wait at step handoff (exit %d), got %v", exitWaiting, err)
	}
	fmt.Fprintln(os.Stderr, "\ndemo: the operator hands the key over and confirms the step")
	if err := tfrebuild(ctx, bin, env, "confirm", "handoff", "--config", cfg, "--by", "demo"); err != nil {
		return fmt.Errorf("confirm handoff: %w", err)
	}
	fmt.Fprintln(os.Stderr, "\ndemo: resuming")
	return tfrebuild(ctx, bin, env, apply...)
}

func tfrebuild(ctx context.Context, bin string, env *testenv.Env, args ...string) error {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env.Environ()
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	return cmd.Run()
}
