package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/internal/ui"
	"github.com/tfrebuild/tfrebuild/rebuild"
	"github.com/tfrebuild/tfrebuild/stages"
)

// ApplyOptions are the flags of apply.
type ApplyOptions struct {
	runFlags
	Yes         bool
	JSON        bool
	RepairState bool
	// AcceptExisting names restores whose existing target is kept.
	AcceptExisting stringList
}

func applyCommand() *command {
	c := &command{
		name:    "apply",
		summary: "Rebuild the target: preflight, state bucket and lock table, registries, stacks, checks, steps; resumes from the checkpoint.",
		usage:   "apply [--config FILE] [--with NAME]... [--parallelism N] [--yes] [--json] [--repair-state] [--accept-existing NAME]...",
		example: "tfrebuild apply --config rebuild.hcl --with green --yes",
	}
	c.run = func(ctx context.Context, env *cliEnv, args []string) error {
		var o ApplyOptions
		fs := newFlags(env, c)
		o.register(fs)
		fs.BoolVar(&o.Yes, "yes", false, "do not ask for confirmation (required without a terminal)")
		fs.BoolVar(&o.JSON, "json", false, "print progress and the summary as JSON lines on stdout")
		fs.BoolVar(&o.RepairState, "repair-state", false, "apply the hardened settings to an existing state bucket, lock table and registries that have drifted")
		registerAcceptExisting(fs, &o.AcceptExisting)
		if _, err := parseFlags(fs, args, c); err != nil {
			return err
		}
		if err := o.check(c); err != nil {
			return err
		}
		return runApply(ctx, env, o)
	}
	return c
}

func runApply(ctx context.Context, env *cliEnv, o ApplyOptions) error {
	cfg, err := loadConfig(env.stderr, o.Config)
	if err != nil {
		return err
	}
	if err := rebuild.CheckAcceptExisting(cfg, o.AcceptExisting); err != nil {
		return err
	}
	if err := confirm(env, o.Yes, fmt.Sprintf("Rebuild %s in account %s, region %s?", cfg.Project, cfg.Target.AccountID, cfg.Target.Region)); err != nil {
		return err
	}
	_, err = applyConfig(ctx, env, cfg, o)
	return err
}

// applyConfig runs apply on a loaded config and prints its summary.
func applyConfig(ctx context.Context, env *cliEnv, cfg *config.Config, o ApplyOptions) (*rebuild.Summary, error) {
	progressOut := env.stderr
	if o.JSON {
		progressOut = env.stdout
	}
	progress := ui.NewProgress(progressOut, !o.JSON && isTerminal(env.stderr), o.JSON)
	sum, err := rebuild.Apply(ctx, cfg, rebuild.ApplyOptions{Common: o.common(progress), RepairState: o.RepairState,
		AcceptExisting: o.AcceptExisting})
	progress.Close()
	if sum != nil {
		if o.JSON {
			if werr := ui.WriteSummaryJSON(env.stdout, sum); werr != nil {
				return sum, werr
			}
		} else {
			fmt.Fprintln(env.stdout)
			ui.WriteSummary(env.stdout, sum)
		}
	}
	if err != nil && sum != nil && !errors.Is(err, stages.ErrWaiting) {
		return sum, fmt.Errorf("rebuild of %s did not finish; run apply again to resume:\n%w", cfg.Project, indentError(err))
	}
	return sum, err
}

// registerAcceptExisting adds --accept-existing, shared by apply and drill.
func registerAcceptExisting(fs *flag.FlagSet, list *stringList) {
	fs.Var(list, "accept-existing", "keep the existing table or bucket of restore `NAME` as it is instead of refusing (block, table or bucket name; repeatable)")
}

// common are the engine options every run shares, with the terminal
// progress as the event stream's subscriber.
func (f *runFlags) common(sinks ...events.Sink) rebuild.Common {
	return rebuild.Common{With: f.With, Parallelism: f.Parallelism, Download: !f.NoDownload, Sinks: sinks}
}
