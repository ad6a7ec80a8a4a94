package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/internal/ui"
	"github.com/tfrebuild/tfrebuild/outcome"
	"github.com/tfrebuild/tfrebuild/rebuild"
	"github.com/tfrebuild/tfrebuild/stages"
)

// ApplyOptions are the flags of apply.
type ApplyOptions struct {
	runFlags
	Yes         bool
	JSON        bool
	RepairState bool
	ChangeScope bool
	// PreConfirmed are steps a drill treats as confirmed (no flag).
	PreConfirmed []string
	// AcceptExisting names restores whose existing target is kept.
	AcceptExisting stringList
	// Restore names restores to run again although done (--restore).
	Restore stringList
	// Adopt names objects to import into their stack's state (--adopt).
	Adopt []rebuild.Adoption
}

func applyCommand() *command {
	c := &command{
		name:    "apply",
		summary: "Rebuild the target: preflight, state bucket and lock table, registries, stacks, checks, steps; resumes from the checkpoint.",
		usage:   "apply [--config FILE] [--with NAME]... [--only STACK]... [--with-deps] [--change-scope] [--parallelism N] [--yes] [--json] [--repair-state] [--accept-existing NAME]... [--restore NAME]... [--adopt STACK:ADDRESS=ID]... [--incident-at TIME] [--events FILE]",
		example: "tfrebuild apply --config rebuild.hcl --with green --yes",
	}
	c.run = func(ctx context.Context, env *cliEnv, args []string) error {
		var o ApplyOptions
		fs := newFlags(env, c)
		o.register(fs)
		o.registerOnly(fs)
		fs.BoolVar(&o.ChangeScope, "change-scope", false, "let this apply change what a rebuild in progress builds (--with, --only) instead of refusing")
		fs.BoolVar(&o.Yes, "yes", false, "do not ask for confirmation (required without a terminal)")
		fs.BoolVar(&o.JSON, "json", false, "print progress and the summary as JSON lines on stdout")
		fs.BoolVar(&o.RepairState, "repair-state", false, "apply the hardened settings to an existing state bucket, lock table and registries that have drifted")
		registerAcceptExisting(fs, &o.AcceptExisting)
		registerRestore(fs, &o.Restore)
		fs.Func("adopt", "import the existing object `STACK:ADDRESS=ID` into the stack's state before it is applied (repeatable); for an object that exists outside the state and that you have checked is this stack's", func(v string) error {
			d, err := parseAdoption(v)
			o.Adopt = append(o.Adopt, d)
			return err
		})
		o.registerIncident(fs)
		if _, err := parseFlags(fs, args, c); err != nil {
			return err
		}
		if err := o.check(c); err != nil {
			return err
		}
		if o.JSON && o.Events == "-" {
			return &usageError{msg: errEventsAndJSON.Error(), hint: "tfrebuild apply --json --events events.ndjson"}
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
	if _, err := cfg.RestoreNames("--accept-existing", o.AcceptExisting); err != nil {
		return err
	}
	if _, err := cfg.RestoreNames("--restore", o.Restore); err != nil {
		return err
	}
	if err := confirm(env, o.Yes, fmt.Sprintf("Rebuild %s in account %s, region %s?", cfg.Project, cfg.Target.AccountID, cfg.Target.Region)); err != nil {
		return err
	}
	sum, err := applyConfig(ctx, env, cfg, o)
	if sum != nil {
		appendHistory(ctx, env.stderr, cfg, sum.History)
	}
	if errors.Is(err, stages.ErrWaiting) {
		fmt.Fprintf(env.stderr, "Once the step is confirmed, continue the rebuild with:\n  %s\n", o.resumeCommand())
	}
	return err
}

// applyConfig runs apply on a loaded config and prints its summary. The
// terminal progress, the --events stream and the notify blocks all read
// the run's one event stream.
func applyConfig(ctx context.Context, env *cliEnv, cfg *config.Config, o ApplyOptions) (*outcome.Summary, error) {
	subs, own := o.subs, o.subs == nil
	if own {
		var err error
		if subs, err = openSubscribers(env, cfg, o.Events, true); err != nil {
			return nil, err
		}
	}
	out := o.resultsTo(env)
	progressOut := env.stderr
	if o.JSON {
		progressOut = env.stdout
	}
	progress := newProgress(env, progressOut, o.JSON)
	sum, err := rebuild.Apply(ctx, cfg, rebuild.ApplyOptions{Common: o.common(append([]events.Sink{progress}, subs.sinks()...)...), RepairState: o.RepairState,
		ChangeScope: o.ChangeScope, PreConfirmed: o.PreConfirmed, AcceptExisting: o.AcceptExisting,
		Restore: o.Restore, Adopt: o.Adopt})
	progress.Close()
	lost := subs.failures()
	if own {
		lost = subs.close()
	}
	if sum == nil {
		printNotes(env.stderr, lost)
	} else {
		sum.Notes = append(sum.Notes, lost...)
		if o.JSON {
			if werr := ui.WriteSummaryJSON(env.stdout, sum); werr != nil {
				return sum, werr
			}
		} else {
			fmt.Fprintln(out)
			ui.WriteSummary(out, sum)
		}
		if o.mode != "drill" {
			var md strings.Builder
			ui.WriteSummaryMarkdown(&md, "tfrebuild apply", sum)
			appendStepSummary(env, md.String())
		}
	}
	if err != nil && sum != nil && !errors.Is(err, stages.ErrWaiting) {
		return sum, fmt.Errorf("rebuild of %s did not finish; run apply again to resume:\n  %s\n%w", cfg.Project, o.resumeCommand(), indentError(err))
	}
	return sum, err
}

// resumeCommand is the apply that continues this run, with the flags that
// decide what it builds.
func (f *runFlags) resumeCommand() string {
	return rebuild.ApplyCommand(f.Config, rebuild.Scope{With: f.With, Only: f.Only, WithDeps: f.WithDeps})
}

// registerOnly adds the flags of a targeted re-run (apply and plan).
func (f *runFlags) registerOnly(fs *flag.FlagSet) {
	fs.Var(&f.Only, "only", "run only the stack `STACK` (repeatable); its upstream stacks' outputs come from their state")
	fs.BoolVar(&f.WithDeps, "with-deps", false, "with --only, also run every stack the named stacks depend on")
}

// registerRestore adds --restore, shared by apply and plan.
func registerRestore(fs *flag.FlagSet, list *stringList) {
	fs.Var(list, "restore", "run restore `NAME` again although it is done (block, table or bucket name; repeatable): "+
		"it brings back its recovery point, hiding what was written since")
}

// registerAcceptExisting adds --accept-existing, shared by apply and drill.
func registerAcceptExisting(fs *flag.FlagSet, list *stringList) {
	fs.Var(list, "accept-existing", "keep the existing table or bucket of restore `NAME` as it is instead of refusing (block, table or bucket name; repeatable)")
}

// common are the engine options every run shares, with the terminal
// progress as the event stream's subscriber, and the real collaborators.
func (f *runFlags) common(sinks ...events.Sink) rebuild.Common {
	return rebuild.Common{With: f.With, Only: f.Only, WithDeps: f.WithDeps, Parallelism: f.Parallelism, Download: !f.NoDownload, Sinks: sinks, Mode: f.mode,
		Deps: wired(), IncidentAt: f.IncidentAt.t}
}

// registerIncident adds --incident-at, shared by apply, plan and drill.
func (f *runFlags) registerIncident(fs *flag.FlagSet) {
	fs.Var(&f.IncidentAt, "incident-at", "when the data was lost, RFC 3339 (`TIME`): each restore's data loss is measured from its recovery point to it; default: the start of the rebuild")
}

// incidentTime is an RFC 3339 time given as a flag.
type incidentTime struct{ t time.Time }

func (i *incidentTime) String() string {
	if i == nil || i.t.IsZero() {
		return ""
	}
	return i.t.Format(time.RFC3339)
}

func (i *incidentTime) Set(v string) error {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return fmt.Errorf("want an RFC 3339 time such as 2026-11-25T06:00:00Z: %w", err)
	}
	i.t = t
	return nil
}
