package main

import (
	"context"
	"fmt"
	"time"

	"github.com/tfrebuild/tfrebuild/rebuild"
)

func statusCommand() *command {
	c := &command{
		name:    "status",
		summary: "Show each stage's status, attempts and timings, what runs next, and the time since the rebuild began.",
		usage:   "status [--config FILE] [--json]",
		example: "tfrebuild status --config rebuild.hcl --json",
	}
	c.run = func(ctx context.Context, env *cliEnv, args []string) error {
		fs := newFlags(env, c)
		cfgPath := configFlag(fs)
		asJSON := fs.Bool("json", false, "print JSON")
		if _, err := parseFlags(fs, args, c); err != nil {
			return err
		}
		cfg, err := loadConfig(env.stderr, *cfgPath)
		if err != nil {
			return err
		}
		st, err := rebuild.ReadStatus(ctx, cfg, time.Now())
		if err != nil {
			return err
		}
		if *asJSON {
			return st.WriteJSON(env.stdout)
		}
		st.WriteText(env.stdout)
		return nil
	}
	return c
}

func confirmCommand() *command {
	c := &command{
		name:    "confirm",
		summary: "Record a manual step as done (who and when), so that apply continues past it.",
		usage:   "confirm NAME [--config FILE] [--by WHO]",
		example: "tfrebuild confirm handoff --config rebuild.hcl",
	}
	c.run = func(ctx context.Context, env *cliEnv, args []string) error {
		fs := newFlags(env, c)
		cfgPath := configFlag(fs)
		by := fs.String("by", rebuild.WhoAmI(), "who did the step")
		pos, err := parseFlags(fs, args, c)
		if err != nil {
			return err
		}
		if len(pos) != 1 {
			return &usageError{msg: "confirm takes one step name", hint: c.example}
		}
		cfg, err := loadConfig(env.stderr, *cfgPath)
		if err != nil {
			return err
		}
		if err := rebuild.Confirm(ctx, cfg, pos[0], *by, time.Now()); err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "step.%s confirmed by %s; run tfrebuild apply to continue\n", pos[0], *by)
		return nil
	}
	return c
}
