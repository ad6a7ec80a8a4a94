package main

import (
	"context"

	"github.com/tfrebuild/tfrebuild/stages"
)

// RunbookOptions are the flags of runbook.
type RunbookOptions struct {
	Config string
	With   stringList
}

func runbookCommand() *command {
	c := &command{
		name:    "runbook",
		summary: "Print the pipeline as a Markdown runbook.",
		usage:   "runbook [--config FILE] [--with NAME]...",
		example: "tfrebuild runbook --config rebuild.hcl > RUNBOOK.md",
	}
	c.run = func(ctx context.Context, env *cliEnv, args []string) error {
		var o RunbookOptions
		fs := newFlags(env, c)
		fs.StringVar(&o.Config, "config", "rebuild.hcl", "the rebuild config `FILE`")
		fs.Var(&o.With, "with", "include the optional stack `NAME` (repeatable)")
		if _, err := parseFlags(fs, args, c); err != nil {
			return err
		}
		return runRunbook(ctx, env, o)
	}
	return c
}

func runRunbook(_ context.Context, env *cliEnv, o RunbookOptions) error {
	cfg, err := loadConfig(env.stderr, o.Config)
	if err != nil {
		return err
	}
	p, err := stages.Build(cfg, o.With)
	if err != nil {
		return err
	}
	return stages.WriteRunbook(env.stdout, cfg, p)
}
