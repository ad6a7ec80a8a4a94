package main

import (
	"context"
	"fmt"
	"io"

	"github.com/hashicorp/hcl/v2"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/stages"
)

func validateCommand() *command {
	c := &command{
		name:    "validate",
		summary: "Parse and check rebuild.hcl and the stack directories, without any cloud call.",
		usage:   "validate [--config FILE]",
		example: "tfrebuild validate --config examples/profile-api/rebuild.hcl",
	}
	c.run = func(ctx context.Context, env *cliEnv, args []string) error {
		fs := newFlags(env, c)
		cfgPath := configFlag(fs)
		if _, err := parseFlags(fs, args, c); err != nil {
			return err
		}
		return runValidate(env, *cfgPath)
	}
	return c
}

func runValidate(env *cliEnv, path string) error {
	cfg, err := loadConfig(env.stderr, path)
	if err != nil {
		return err
	}
	p, err := stages.Build(cfg, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "%s: valid: %d stages (%d stacks, %d registries, %d checks, %d steps)\n",
		path, len(p.Stages), len(cfg.Stacks), len(cfg.Registries), len(cfg.Checks), len(cfg.Steps))
	return nil
}

// loadConfig loads and validates a config, printing warnings and errors as
// FILE:LINE:COL lines on stderr.
func loadConfig(stderr io.Writer, path string) (*config.Config, error) {
	cfg, diags := config.Load(path)
	for _, d := range diags {
		if d.Severity == hcl.DiagWarning {
			fmt.Fprintln(stderr, config.FormatDiagnostic(d))
		}
	}
	if diags.HasErrors() {
		return nil, config.DiagnosticsError(diags)
	}
	return cfg, nil
}
