package main

import (
	"context"

	"github.com/tfrebuild/tfrebuild/internal/ui"
	"github.com/tfrebuild/tfrebuild/rebuild"
)

// StatusOptions are the flags of status.
type StatusOptions struct {
	Config string
	JSON   bool
}

func statusCommand() *command {
	c := &command{
		name:    "status",
		summary: "Show each stage's status, attempts and timings, what runs next, and the time since the rebuild began.",
		usage:   "status [--config FILE] [--json]",
		example: "tfrebuild status --config rebuild.hcl --json",
	}
	c.run = func(ctx context.Context, env *cliEnv, args []string) error {
		var o StatusOptions
		fs := newFlags(env, c)
		fs.StringVar(&o.Config, "config", "rebuild.hcl", "the rebuild config `FILE`")
		fs.BoolVar(&o.JSON, "json", false, "print JSON")
		if _, err := parseFlags(fs, args, c); err != nil {
			return err
		}
		return runStatus(ctx, env, o)
	}
	return c
}

func runStatus(ctx context.Context, env *cliEnv, o StatusOptions) error {
	cfg, err := loadConfig(env.stderr, o.Config)
	if err != nil {
		return err
	}
	st, err := rebuild.ReadStatus(ctx, cfg, rebuild.StatusOptions{Deps: wired()})
	if err != nil {
		return err
	}
	if o.JSON {
		return ui.WriteStatusJSON(env.stdout, st)
	}
	ui.WriteStatus(env.stdout, st)
	return nil
}
