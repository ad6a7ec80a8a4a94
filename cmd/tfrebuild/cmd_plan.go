package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/tfrebuild/tfrebuild/internal/ui"
	"github.com/tfrebuild/tfrebuild/rebuild"
)

// PlanOptions are the flags of plan.
type PlanOptions struct {
	runFlags
	JSONFile         string
	MarkdownFile     string
	DetailedExitcode bool
}

func planCommand() *command {
	c := &command{
		name:    "plan",
		summary: "Dry-run every stage read-only: what the bootstrap would create, drift, and a Terraform plan of each stack. Writes nothing to the cloud.",
		usage:   "plan [--config FILE] [--with NAME]... [--only STACK]... [--with-deps] [--json FILE] [--markdown FILE] [--detailed-exitcode]",
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
	progress := ui.NewProgress(env.stderr, isTerminal(env.stderr), false)
	rep, err := rebuild.Plan(ctx, cfg, rebuild.PlanOptions{Common: o.common(progress)})
	progress.Close()
	if rep == nil {
		return err
	}
	fmt.Fprintln(env.stdout)
	ui.WritePlan(env.stdout, rep)
	if werr := writeReports(rep, o); werr != nil {
		return errors.Join(err, werr)
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

func writeReports(rep *rebuild.PlanReport, o PlanOptions) error {
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
