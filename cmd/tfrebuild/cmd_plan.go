package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/internal/ui"
	"github.com/tfrebuild/tfrebuild/notify"
	"github.com/tfrebuild/tfrebuild/outcome"
	"github.com/tfrebuild/tfrebuild/rebuild"
)

// PlanOptions are the flags of plan.
type PlanOptions struct {
	runFlags
	JSONFile         string
	MarkdownFile     string
	DetailedExitcode bool
	Restore          stringList
}

func planCommand() *command {
	c := &command{
		name:    "plan",
		summary: "Dry-run every stage read-only: what the bootstrap would create, drift, and a Terraform plan of each stack. Writes nothing to the cloud.",
		usage:   "plan [--config FILE] [--with NAME]... [--only STACK]... [--with-deps] [--json FILE] [--markdown FILE] [--detailed-exitcode] [--restore NAME]... [--incident-at TIME] [--events FILE]",
		example: "tfrebuild plan --config rebuild.hcl --markdown \"$GITHUB_STEP_SUMMARY\" --detailed-exitcode",
	}
	c.run = func(ctx context.Context, env *cliEnv, args []string) error {
		var o PlanOptions
		fs := newFlags(env, c)
		o.register(fs)
		o.registerOnly(fs)
		fs.StringVar(&o.JSONFile, "json", "", "also write the plan as JSON to `FILE` (schema: docs/ci.md)")
		fs.StringVar(&o.MarkdownFile, "markdown", "", "also write a Markdown summary to `FILE` (for a pull-request comment)")
		fs.BoolVar(&o.DetailedExitcode, "detailed-exitcode", false, "exit 0 with nothing to do, 1 on error, 2 with changes pending (drift included)")
		registerRestore(fs, &o.Restore)
		o.registerIncident(fs)
		if _, err := parseFlags(fs, args, c); err != nil {
			return err
		}
		if err := o.check(c); err != nil {
			return err
		}
		return runPlan(ctx, env, o)
	}
	return c
}

func runPlan(ctx context.Context, env *cliEnv, o PlanOptions) error {
	cfg, err := loadConfig(env.stderr, o.Config)
	if err != nil {
		return err
	}
	// No notifications for plan: it changes nothing, and it runs on
	// every pull request; the notify triggers are about a rebuild.
	subs, err := openSubscribers(env, cfg, o.Events, false)
	if err != nil {
		return err
	}
	progress := newProgress(env, env.stderr, false)
	rep, err := rebuild.Plan(ctx, cfg, rebuild.PlanOptions{Common: o.common(append([]events.Sink{progress}, subs.sinks()...)...),
		Restore: o.Restore})
	progress.Close()
	lost := subs.close()
	out := o.resultsTo(env)
	if rep == nil {
		printNotes(env.stderr, lost)
		return err
	}
	fmt.Fprintln(out)
	ui.WritePlan(out, rep)
	printPrediction(ctx, out, cfg, o.With)
	printNotes(out, lost)
	if werr := writeReports(rep, o); werr != nil {
		return errors.Join(err, werr)
	}
	if !sameFile(o.MarkdownFile, os.Getenv(notify.StepSummaryEnv)) {
		var md strings.Builder
		ui.WritePlanMarkdown(&md, rep)
		appendStepSummary(env, md.String())
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return err
		}
		return fmt.Errorf("the plan failed for %s:\n%w", strings.Join(rep.Failed(), ", "), indentError(err))
	}
	if o.DetailedExitcode && rep.ChangesPending {
		return errChangesPending
	}
	return nil
}

func writeReports(rep *outcome.PlanReport, o PlanOptions) error {
	if o.JSONFile != "" {
		f, err := os.Create(o.JSONFile)
		if err != nil {
			return fmt.Errorf("--json: %w", err)
		}
		err = ui.WritePlanJSON(f, rep)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("--json %s: %w", o.JSONFile, err)
		}
	}
	if o.MarkdownFile != "" {
		// Append: $GITHUB_STEP_SUMMARY collects several steps' output.
		f, err := os.OpenFile(o.MarkdownFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("--markdown: %w", err)
		}
		ui.WritePlanMarkdown(f, rep)
		if err := f.Close(); err != nil {
			return fmt.Errorf("--markdown %s: %w", o.MarkdownFile, err)
		}
	}
	return nil
}

// sameFile reports whether two paths name the same file (--markdown
// "$GITHUB_STEP_SUMMARY" already appends the plan there).
func sameFile(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	if fa, err := os.Stat(a); err == nil {
		if fb, err := os.Stat(b); err == nil {
			return os.SameFile(fa, fb)
		}
	}
	aa, _ := filepath.Abs(a)
	bb, _ := filepath.Abs(b)
	return aa == bb
}
