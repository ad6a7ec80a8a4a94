package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/internal/ui"
	"github.com/tfrebuild/tfrebuild/outcome"
	"github.com/tfrebuild/tfrebuild/rebuild"
	"github.com/tfrebuild/tfrebuild/stages"
)

// DrillOptions are the flags of drill.
type DrillOptions struct {
	DestroyOptions
	Confirm        stringList
	Fresh          bool
	AcceptExisting stringList
	// Report is where to write the HTML recovery report (--report).
	Report string
}

func drillCommand() *command {
	c := &command{
		name:    "drill",
		summary: "A rebuild drill from nothing: apply (with checks), report the time against the RTO, then destroy what was built.",
		usage:   "drill [--config FILE] [--with NAME]... [--confirm STEP]... [--fresh] [--all] [--yes] [--accept-existing NAME]... [--incident-at TIME] [--events FILE] [--report FILE]",
		example: "tfrebuild drill --config drill.hcl --with green --confirm handoff --all --yes",
	}
	c.run = func(ctx context.Context, env *cliEnv, args []string) error {
		var o DrillOptions
		fs := newFlags(env, c)
		o.register(fs)
		fs.BoolVar(&o.Yes, "yes", false, "do not ask for confirmation (required without a terminal)")
		fs.BoolVar(&o.All, "all", false, "also tear down the registries, lock table and state bucket tfrebuild created")
		fs.Var(&o.Confirm, "confirm", "treat the manual step `STEP` as done in this drill (repeatable)")
		fs.BoolVar(&o.Fresh, "fresh", false, "when the target exists, DESTROY it first (as destroy --all) so the drill starts from nothing")
		registerAcceptExisting(fs, &o.AcceptExisting)
		fs.StringVar(&o.Report, "report", "", "write the drill's HTML recovery report to `FILE` before the teardown")
		o.registerIncident(fs)
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

// runDrill rebuilds from nothing, measures, and tears down whatever
// happened: a drill that fails half-way still cleans up after itself. A
// drill that stops at a manual step failed: it did not run unattended.
func runDrill(ctx context.Context, env *cliEnv, o DrillOptions) error {
	cfg, err := loadConfig(env.stderr, o.Config)
	if err != nil {
		return err
	}
	preConfirmed, err := rebuild.DrillConfirmations(cfg, o.Confirm)
	if err != nil {
		return &usageError{msg: err.Error(), hint: "tfrebuild drill --confirm STEP"}
	}
	if _, err := cfg.RestoreNames("--accept-existing", o.AcceptExisting); err != nil {
		return err
	}
	q := fmt.Sprintf("Drill: rebuild %s in account %s, region %s, then DESTROY it?", cfg.Project, cfg.Target.AccountID, cfg.Target.Region)
	if err := confirm(env, o.Yes, q); err != nil {
		return err
	}
	// One event stream and one set of notifiers for the whole drill.
	subs, err := openSubscribers(env, cfg, o.Events, true)
	if err != nil {
		return err
	}
	o.mode, o.subs = "drill", subs
	out := o.resultsTo(env)
	if err := drillFromNothing(ctx, env, cfg, o); err != nil {
		printNotes(out, subs.close())
		return err
	}
	sum, applyErr := applyConfig(ctx, env, cfg, ApplyOptions{runFlags: o.runFlags, Yes: true, PreConfirmed: preConfirmed,
		AcceptExisting: o.AcceptExisting})
	verdict := outcome.JudgeDrill(sum, cfg.RTO, applyErr)
	rebuild.EmitDrillVerdict(cfg, sum, verdict, subs.sinks()...)
	ui.WriteDrill(out, verdict)
	if sum != nil && sum.History != nil {
		sum.History.Passed, sum.History.Verdict = verdict.Passed, verdict.String()
		appendHistory(ctx, env.stderr, cfg, sum.History)
	}
	if o.Report != "" {
		writeDrillReport(ctx, env, cfg, o.Report)
	}
	if sum != nil {
		var md strings.Builder
		ui.WriteSummaryMarkdown(&md, "tfrebuild drill", sum)
		ui.WriteDrill(&md, verdict)
		appendStepSummary(env, md.String())
	}
	if errors.Is(applyErr, stages.ErrWaiting) || applyErr == nil {
		applyErr = verdict.Err()
	}
	fmt.Fprint(out, "\ndrill: tearing down\n")
	if ctx.Err() != nil {
		printNotes(out, subs.close())
		return errors.Join(applyErr, ctx.Err())
	}
	teardown := o.DestroyOptions
	teardown.emptyDrillBuckets = true
	destroyErr := destroyConfig(ctx, env, cfg, teardown)
	var shown []string
	if sum != nil {
		shown = sum.Notes
	}
	var rest []string
	for _, n := range subs.close() {
		if !slices.Contains(shown, n) {
			rest = append(rest, n)
		}
	}
	printNotes(out, rest)
	return errors.Join(applyErr, destroyErr)
}

// drillFromNothing refuses a target that exists, or with --fresh tears it
// down first: a drill against a built target would measure a no-op.
func drillFromNothing(ctx context.Context, env *cliEnv, cfg *config.Config, o DrillOptions) error {
	existing, err := rebuild.Existing(ctx, cfg, o.common())
	if err != nil || len(existing) == 0 {
		return err
	}
	if !o.Fresh {
		return fmt.Errorf("drill: the target is not empty: %s. A drill measures a rebuild from nothing; "+
			"add --fresh to tear all of it down first (as destroy --all), or point the drill at another target", strings.Join(existing, "; "))
	}
	out := o.resultsTo(env)
	fmt.Fprintf(out, "drill: --fresh: tearing down what exists first: %s\n", strings.Join(existing, "; "))
	teardown := o.DestroyOptions
	teardown.All, teardown.With = true, nil
	for _, s := range cfg.Stacks {
		if s.Optional {
			teardown.With = append(teardown.With, s.Name)
		}
	}
	list, err := rebuild.TeardownList(ctx, cfg, rebuild.DestroyOptions{Common: teardown.common(), All: true})
	if err != nil {
		return fmt.Errorf("drill --fresh: list what the teardown would delete: %w", err)
	}
	ui.WriteTeardownList(out, "drill --fresh", list)
	if err := destroyConfig(ctx, env, cfg, teardown); err != nil {
		return fmt.Errorf("drill --fresh: %w", err)
	}
	if existing, err = rebuild.Existing(ctx, cfg, o.common()); err != nil || len(existing) == 0 {
		return err
	}
	return fmt.Errorf("drill --fresh: the teardown left %s (not created by tfrebuild for this project?); remove it, or point the drill at another target", strings.Join(existing, "; "))
}
