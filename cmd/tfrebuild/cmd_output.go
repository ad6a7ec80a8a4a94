package main

import (
	"context"
	"flag"

	"github.com/tfrebuild/tfrebuild/internal/ui"
	"github.com/tfrebuild/tfrebuild/rebuild"
)

// OutputOptions are the flags of output.
type OutputOptions struct {
	Config        string
	Stack         string
	JSON          bool
	ShowSensitive bool
	NoDownload    bool
}

func outputCommand() *command {
	c := &command{
		name:    "output",
		summary: "Print stack outputs from their state (sensitive values masked unless --show-sensitive).",
		usage:   "output [STACK] [--config FILE] [--json] [--show-sensitive]",
		example: "tfrebuild output base --config rebuild.hcl --json",
	}
	c.run = func(ctx context.Context, env *cliEnv, args []string) error {
		var o OutputOptions
		fs := newFlags(env, c)
		o.register(fs)
		pos, err := parseFlags(fs, args, c)
		if err != nil {
			return err
		}
		if len(pos) > 1 {
			return &usageError{msg: "output takes at most one stack name", hint: "tfrebuild output STACK"}
		}
		if len(pos) == 1 {
			o.Stack = pos[0]
		}
		return runOutput(ctx, env, o)
	}
	return c
}

func (o *OutputOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&o.Config, "config", "rebuild.hcl", "the rebuild config `FILE`")
	fs.BoolVar(&o.JSON, "json", false, "print the outputs as JSON")
	fs.BoolVar(&o.ShowSensitive, "show-sensitive", false, "print sensitive values instead of masking them")
	fs.BoolVar(&o.NoDownload, "no-download", false, "never download Terraform; use an installed binary")
}

func runOutput(ctx context.Context, env *cliEnv, o OutputOptions) error {
	cfg, err := loadConfig(env.stderr, o.Config)
	if err != nil {
		return err
	}
	list, err := rebuild.ReadOutputs(ctx, cfg, rebuild.OutputOptions{Stack: o.Stack, Download: !o.NoDownload, Deps: wired()})
	if err != nil {
		return err
	}
	if o.JSON {
		return ui.WriteOutputsJSON(env.stdout, list, o.ShowSensitive, o.Stack != "")
	}
	ui.WriteOutputs(env.stdout, list, o.ShowSensitive)
	return nil
}
