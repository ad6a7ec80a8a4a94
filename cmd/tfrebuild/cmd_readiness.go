package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/notify"
	"github.com/tfrebuild/tfrebuild/readiness"
)

// ReadinessOptions are the flags of readiness.
type ReadinessOptions struct {
	Config       string
	JSONFile     string
	MarkdownFile string
	Events       string
	// Plan plans the stacks to check the S3 bucket names they create.
	Plan bool
}

func readinessCommand() *command {
	c := &command{
		name:    "readiness",
		summary: "Check, read-only, whether a rebuild could succeed now: access, state bucket name, restore sources against rpo, images, bucket names, engine and providers offline.",
		usage:   "readiness [--config FILE] [--json FILE] [--markdown FILE] [--events FILE] [--plan]",
		example: "tfrebuild readiness --config rebuild.hcl --markdown \"$GITHUB_STEP_SUMMARY\"",
	}
	c.run = func(ctx context.Context, env *cliEnv, args []string) error {
		var o ReadinessOptions
		fs := newFlags(env, c)
		fs.StringVar(&o.Config, "config", "rebuild.hcl", "the rebuild config `FILE`")
		fs.StringVar(&o.JSONFile, "json", "", "also write the checks as JSON to `FILE` (- for stdout)")
		fs.StringVar(&o.MarkdownFile, "markdown", "", "also append a Markdown table of the checks to `FILE` (a pull-request comment, $GITHUB_STEP_SUMMARY)")
		fs.StringVar(&o.Events, "events", "", "also write a readiness_failed event, when a check fails, as a JSON line to `FILE` (appended; - for stdout)")
		fs.BoolVar(&o.Plan, "plan", false, "plan the stacks (as plan does) and check every S3 bucket name the plans would create")
		if _, err := parseFlags(fs, args, c); err != nil {
			return err
		}
		if o.Events == "-" && o.JSONFile == "-" {
			return &usageError{msg: errEventsAndJSON.Error(), hint: "tfrebuild readiness --json readiness.json --events -"}
		}
		return runReadiness(ctx, env, o)
	}
	return c
}

func runReadiness(ctx context.Context, env *cliEnv, o ReadinessOptions) error {
	cfg, err := loadConfig(env.stderr, o.Config)
	if err != nil {
		return err
	}
	subs, err := openSubscribers(env, cfg, o.Events, true)
	if err != nil {
		return err
	}
	deps, err := readinessDeps(ctx, env, cfg, o.Plan)
	if err != nil {
		subs.close()
		return err
	}
	rep := readiness.Run(ctx, cfg, deps)
	out := env.stdout
	if o.Events == "-" || o.JSONFile == "-" {
		out = env.stderr
	}
	readiness.WriteText(out, rep)
	if !rep.Ready {
		e := events.Event{Schema: events.SchemaVersion, Type: events.ReadinessFailed, Time: time.Now().UTC(), Project: cfg.Project,
			Mode: "readiness", Message: "failing checks: " + strings.Join(rep.Failed(), ", ")}
		for _, s := range subs.sinks() {
			s.Emit(e)
		}
	}
	printNotes(env.stderr, subs.close())
	if err := writeReadiness(env, rep, o); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if !rep.Ready {
		return fmt.Errorf("not ready: %s failed", strings.Join(rep.Failed(), ", "))
	}
	return nil
}

func writeReadiness(env *cliEnv, rep *readiness.Report, o ReadinessOptions) error {
	if o.JSONFile == "-" {
		if err := readiness.WriteJSON(env.stdout, rep); err != nil {
			return fmt.Errorf("--json -: %w", err)
		}
	} else if o.JSONFile != "" {
		f, err := os.Create(o.JSONFile)
		if err != nil {
			return fmt.Errorf("--json: %w", err)
		}
		err = readiness.WriteJSON(f, rep)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("--json %s: %w", o.JSONFile, err)
		}
	}
	var md strings.Builder
	readiness.WriteMarkdown(&md, rep)
	if o.MarkdownFile != "" {
		// Append: $GITHUB_STEP_SUMMARY collects several steps' output.
		f, err := os.OpenFile(o.MarkdownFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("--markdown: %w", err)
		}
		_, err = f.WriteString(md.String())
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("--markdown %s: %w", o.MarkdownFile, err)
		}
	}
	if !sameFile(o.MarkdownFile, os.Getenv(notify.StepSummaryEnv)) {
		appendStepSummary(env, md.String())
	}
	return nil
}
