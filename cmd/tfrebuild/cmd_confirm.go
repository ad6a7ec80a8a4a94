package main

import (
	"context"
	"fmt"

	"github.com/tfrebuild/tfrebuild/rebuild"
)

// ConfirmOptions are the flags and argument of confirm.
type ConfirmOptions struct {
	Config string
	By     string
	Step   string
}

func confirmCommand() *command {
	c := &command{
		name:    "confirm",
		summary: "Record a manual step as done (who and when), so that apply continues past it.",
		usage:   "confirm NAME [--config FILE] [--by WHO]",
		example: "tfrebuild confirm handoff --config rebuild.hcl",
	}
	c.run = func(ctx context.Context, env *cliEnv, args []string) error {
		var o ConfirmOptions
		fs := newFlags(env, c)
		fs.StringVar(&o.Config, "config", "rebuild.hcl", "the rebuild config `FILE`")
		fs.StringVar(&o.By, "by", rebuild.WhoAmI(), "who did the step")
		pos, err := parseFlags(fs, args, c)
		if err != nil {
			return err
		}
		if len(pos) != 1 {
			return &usageError{msg: "confirm takes one step name", hint: c.example}
		}
		o.Step = pos[0]
		return runConfirm(ctx, env, o)
	}
	return c
}

func runConfirm(ctx context.Context, env *cliEnv, o ConfirmOptions) error {
	cfg, err := loadConfig(env.stderr, o.Config)
	if err != nil {
		return err
	}
	next, err := rebuild.Confirm(ctx, cfg, rebuild.ConfirmOptions{Step: o.Step, By: o.By, Deps: wired()})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "step.%s confirmed by %s; continue the rebuild with:\n  %s\n", o.Step, o.By, next)
	return nil
}
