package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/tfrebuild/tfrebuild/internal/ui"
	"github.com/tfrebuild/tfrebuild/rebuild"
)

// DrillOptions are the flags of drill.
type DrillOptions struct {
	DestroyOptions
	AcceptExisting stringList
}

func drillCommand() *command {
	c := &command{
		name:    "drill",
		summary: "A rebuild drill: apply (with checks), report the time against the RTO, then destroy what was built.",
		usage:   "drill [--config FILE] [--with NAME]... [--all] [--yes] [--accept-existing NAME]...",
		example: "tfrebuild drill --config drill.hcl --with green --all --yes",
	}
	c.run = func(ctx context.Context, env *cliEnv, args []string) error {
		var o DrillOptions
		fs := newFlags(env, c)
		o.register(fs)
		fs.BoolVar(&o.Yes, "yes", false, "do not ask for confirmation (required without a terminal)")
		fs.BoolVar(&o.All, "all", false, "also tear down the registries, lock table and state bucket tfrebuild created")
		registerAcceptExisting(fs, &o.AcceptExisting)
		if _, err := parseFlags(fs, args, c); err != nil {
			return err
		}
		if err := o.check(c); err != nil {
			return err
		}
		return runDrill(ctx, env, o)
	}
	return c
}

// runDrill rebuilds, measures, and tears down whatever happened: a drill
// that fails half-way still cleans up after itself.
func runDrill(ctx context.Context, env *cliEnv, o DrillOptions) error {
	cfg, err := loadConfig(env.stderr, o.Config)
	if err != nil {
		return err
	}
	if err := rebuild.CheckAcceptExisting(cfg, o.AcceptExisting); err != nil {
		return err
	}
	q := fmt.Sprintf("Drill: rebuild %s in account %s, region %s, then DESTROY it?", cfg.Project, cfg.Target.AccountID, cfg.Target.Region)
	if err := confirm(env, o.Yes, q); err != nil {
		return err
	}
	sum, applyErr := applyConfig(ctx, env, cfg, ApplyOptions{runFlags: o.runFlags, Yes: true, AcceptExisting: o.AcceptExisting})
	verdict := rebuild.JudgeDrill(sum, cfg.RTO, applyErr)
	ui.WriteDrill(env.stdout, verdict)
	fmt.Fprint(env.stdout, "\ndrill: tearing down\n")
	if ctx.Err() != nil {
		return errors.Join(applyErr, ctx.Err())
	}
	destroyErr := destroyConfig(ctx, env, cfg, o.DestroyOptions)
	if applyErr == nil {
		applyErr = verdict.Err()
	}
	return errors.Join(applyErr, destroyErr)
}
