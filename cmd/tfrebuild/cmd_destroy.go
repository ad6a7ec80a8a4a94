package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tfrebuild/tfrebuild/rebuild"
)

// DestroyOptions are the flags of destroy and drill.
type DestroyOptions struct {
	runFlags
	Yes bool
	All bool
}

func destroyCommand() *command {
	c := &command{
		name:    "destroy",
		summary: "Tear the target down in reverse order, for drills: every stack, and with --all the registries and the state tfrebuild created.",
		usage:   "destroy [--config FILE] [--with NAME]... [--all] [--yes]",
		example: "tfrebuild destroy --config drill.hcl --with green --all --yes",
	}
	c.run = func(ctx context.Context, env *cliEnv, args []string) error {
		var o DestroyOptions
		fs := newFlags(env, c)
		o.register(fs)
		fs.BoolVar(&o.Yes, "yes", false, "do not ask for confirmation (required without a terminal)")
		fs.BoolVar(&o.All, "all", false, "also delete the registries, lock table and state bucket (only those tfrebuild created for this project)")
		if _, err := parseFlags(fs, args, c); err != nil {
			return err
		}
		if err := o.check(c); err != nil {
			return err
		}
		cfg, err := loadConfig(env.stderr, o.Config)
		if err != nil {
			return err
		}
		q := fmt.Sprintf("DESTROY every stack of %s in account %s, region %s?", cfg.Project, cfg.Target.AccountID, cfg.Target.Region)
		if err := confirm(env, o.Yes, q); err != nil {
			return err
		}
		_, err = runDestroy(ctx, env, o)
		return err
	}
	return c
}

func runDestroy(ctx context.Context, env *cliEnv, o DestroyOptions) (*rebuild.Summary, error) {
	cfg, err := loadConfig(env.stderr, o.Config)
	if err != nil {
		return nil, err
	}
	progress := rebuild.NewProgress(env.stderr, isTerminal(env.stderr), false)
	sum, err := rebuild.Destroy(ctx, cfg, rebuild.DestroyOptions{With: o.With, Parallelism: o.Parallelism, Download: !o.NoDownload, All: o.All, Progress: progress})
	progress.Close()
	if sum != nil {
		fmt.Fprintln(env.stdout)
		sum.WriteText(env.stdout)
	}
	if err != nil && sum != nil && !errors.Is(err, context.Canceled) {
		return sum, fmt.Errorf("destroy of %s did not finish; run destroy again:\n%w", cfg.Project, indentError(err))
	}
	return sum, err
}

func drillCommand() *command {
	c := &command{
		name:    "drill",
		summary: "A rebuild drill: apply (with checks), report the time against the RTO, then destroy what was built.",
		usage:   "drill [--config FILE] [--with NAME]... [--all] [--yes]",
		example: "tfrebuild drill --config drill.hcl --with green --all --yes",
	}
	c.run = func(ctx context.Context, env *cliEnv, args []string) error {
		var o DestroyOptions
		fs := newFlags(env, c)
		o.register(fs)
		fs.BoolVar(&o.Yes, "yes", false, "do not ask for confirmation (required without a terminal)")
		fs.BoolVar(&o.All, "all", false, "also tear down the registries, lock table and state bucket tfrebuild created")
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
func runDrill(ctx context.Context, env *cliEnv, o DestroyOptions) error {
	cfg, err := loadConfig(env.stderr, o.Config)
	if err != nil {
		return err
	}
	q := fmt.Sprintf("Drill: rebuild %s in account %s, region %s, then DESTROY it?", cfg.Project, cfg.Target.AccountID, cfg.Target.Region)
	if err := confirm(env, o.Yes, q); err != nil {
		return err
	}
	start := time.Now()
	applyErr := runApply(ctx, env, ApplyOptions{runFlags: o.runFlags, Yes: true})
	took := time.Since(start)
	verdict := "PASSED"
	switch {
	case applyErr != nil:
		verdict = "FAILED: the rebuild did not complete"
	case cfg.RTO > 0 && took > cfg.RTO:
		verdict = "FAILED: over the recovery time objective"
	}
	rto := "no rto set"
	if cfg.RTO > 0 {
		rto = fmt.Sprintf("RTO %s, %.1f%%", cfg.RTO, 100*took.Seconds()/cfg.RTO.Seconds())
	}
	fmt.Fprintf(env.stdout, "\ndrill: rebuild took %s (%s): %s\n\ndrill: tearing down\n", took.Round(100*time.Millisecond), rto, verdict)
	if ctx.Err() != nil {
		return errors.Join(applyErr, ctx.Err())
	}
	_, destroyErr := runDestroy(ctx, env, o)
	if verdict != "PASSED" && applyErr == nil {
		applyErr = errors.New("drill " + verdict)
	}
	return errors.Join(applyErr, destroyErr)
}
