package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/internal/cmdline"
	"github.com/tfrebuild/tfrebuild/internal/ui"
	"github.com/tfrebuild/tfrebuild/rebuild"
)

// DestroyOptions are the flags of destroy and drill.
type DestroyOptions struct {
	runFlags
	Yes bool
	All bool
	// emptyDrillBuckets: the drill's own teardown (see
	// rebuild.DestroyOptions.EmptyDrillBuckets).
	emptyDrillBuckets bool
}

func destroyCommand() *command {
	c := &command{
		name:    "destroy",
		summary: "Tear the target down in reverse order, for drills: every stack, and with --all the registries and the state tfrebuild created.",
		usage:   "destroy [--config FILE] [--with NAME]... [--all] [--yes] [--events FILE]",
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
		return runDestroy(ctx, env, o)
	}
	return c
}

func runDestroy(ctx context.Context, env *cliEnv, o DestroyOptions) error {
	cfg, err := loadConfig(env.stderr, o.Config)
	if err != nil {
		return err
	}
	q := fmt.Sprintf("DESTROY every stack of %s in account %s, region %s?", cfg.Project, cfg.Target.AccountID, cfg.Target.Region)
	if err := confirm(env, o.Yes, q); err != nil {
		return err
	}
	return destroyConfig(ctx, env, cfg, o)
}

// destroyConfig runs destroy on a loaded config and prints its summary.
func destroyConfig(ctx context.Context, env *cliEnv, cfg *config.Config, o DestroyOptions) error {
	subs, own := o.subs, o.subs == nil
	if own {
		var err error
		if subs, err = openSubscribers(env, cfg, o.Events, true); err != nil {
			return err
		}
	}
	progress := newProgress(env, env.stderr, false)
	sum, err := rebuild.Destroy(ctx, cfg, rebuild.DestroyOptions{Common: o.common(append([]events.Sink{progress}, subs.sinks()...)...), All: o.All, EmptyDrillBuckets: o.emptyDrillBuckets})
	progress.Close()
	var lost []string
	if own {
		lost = subs.close()
	}
	if sum != nil {
		sum.Notes = append(sum.Notes, lost...)
		out := o.resultsTo(env)
		fmt.Fprintln(out)
		ui.WriteSummary(out, sum)
	} else {
		printNotes(env.stderr, lost)
	}
	if err != nil && sum != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("destroy of %s did not finish:\n%w\nOnce the cause is fixed, continue the teardown (what is already destroyed is skipped) with:\n  %s",
			cfg.Project, indentError(err), o.continueCommand())
	}
	return err
}

// continueCommand is the command that continues this teardown.
func (o DestroyOptions) continueCommand() string {
	flags := cmdline.Scope(o.With, nil, false)
	if o.All {
		flags = append(flags, "--all")
	}
	return cmdline.Tfrebuild("destroy", o.Config, nil, append(flags, "--yes")...)
}
