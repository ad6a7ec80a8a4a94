package main

import (
	"context"
	"fmt"
	"io"

	"github.com/hashicorp/hcl/v2"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/rebuild"
	"github.com/tfrebuild/tfrebuild/stages"
)

// ValidateOptions are the flags of validate.
type ValidateOptions struct {
	Config string
}

func validateCommand() *command {
	c := &command{
		name:    "validate",
		summary: "Parse and check rebuild.hcl and the stack directories, without any cloud call.",
		usage:   "validate [--config FILE]",
		example: "tfrebuild validate --config examples/profile-api/rebuild.hcl",
	}
	c.run = func(ctx context.Context, env *cliEnv, args []string) error {
		var o ValidateOptions
		fs := newFlags(env, c)
		fs.StringVar(&o.Config, "config", "rebuild.hcl", "the rebuild config `FILE`")
		if _, err := parseFlags(fs, args, c); err != nil {
			return err
		}
		return runValidate(ctx, env, o)
	}
	return c
}

func runValidate(ctx context.Context, env *cliEnv, o ValidateOptions) error {
	path := o.Config
	cfg, err := loadConfig(env.stderr, path)
	if err != nil {
		return err
	}
	p, err := stages.Build(cfg, nil)
	if err != nil {
		return err
	}
	// Not an error: apply downloads a missing Terraform unless
	// --no-download; OpenTofu is never downloaded.
	if err := rebuild.TerraformInstalled(ctx, cfg); err != nil {
		how := "apply downloads it; with --no-download it stops at preflight"
		if cfg.Terraform.EngineName() == config.EngineOpenTofu {
			how = "apply stops at preflight until it is installed"
		}
		fmt.Fprintf(env.stderr, "warning: %v (%s)\n", err, how)
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
	// Secrets a killed run left on disk go with the next command, whatever it is.
	rebuild.Sweep(cfg)
	return cfg, nil
}
