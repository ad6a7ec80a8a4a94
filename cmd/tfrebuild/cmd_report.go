package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/history"
	"github.com/tfrebuild/tfrebuild/report"
	"github.com/tfrebuild/tfrebuild/stages"
	"github.com/tfrebuild/tfrebuild/timeline"
)

// ReportOptions are the flags of report.
type ReportOptions struct {
	Config, HTML, Markdown, JSON string
	History                      bool
}

func reportCommand() *command {
	c := &command{
		name:    "report",
		summary: "Write the recovery report of the latest rebuild or drill (HTML, Markdown, JSON), or with --history the trend of past drills.",
		usage:   "report [--config FILE] [--html FILE] [--markdown FILE] [--json FILE] [--history]",
		example: "tfrebuild report --config rebuild.hcl --html recovery.html",
	}
	c.run = func(ctx context.Context, env *cliEnv, args []string) error {
		var o ReportOptions
		fs := newFlags(env, c)
		fs.StringVar(&o.Config, "config", "rebuild.hcl", "the rebuild config `FILE`")
		fs.StringVar(&o.HTML, "html", "", "write the report as one self-contained HTML page to `FILE`")
		fs.StringVar(&o.Markdown, "markdown", "", "write the report as Markdown to `FILE` (without any output flag: Markdown on stdout)")
		fs.StringVar(&o.JSON, "json", "", "write the report as JSON to `FILE`")
		fs.BoolVar(&o.History, "history", false, "report the history: RTO per rebuild and drill, stage durations, regressions")
		if _, err := parseFlags(fs, args, c); err != nil {
			return err
		}
		return runReport(ctx, env, o)
	}
	return c
}

func runReport(ctx context.Context, env *cliEnv, o ReportOptions) error {
	cfg, err := loadConfig(env.stderr, o.Config)
	if err != nil {
		return err
	}
	h, err := openHistory(ctx, cfg)
	if err != nil {
		return err
	}
	hist, err := h.List(ctx, 0)
	if err != nil {
		return err
	}
	if o.History {
		p, err := stages.Build(cfg, nil)
		if err != nil {
			return err
		}
		t := report.BuildTrend(cfg.Project, cfg.RTO, history.Nodes(p), hist)
		return writeForms(env, o, t, func(b *bytes.Buffer) error { return report.WriteTrendHTML(b, t) },
			func(b *bytes.Buffer) error { return report.WriteTrendMarkdown(b, t) })
	}
	r, err := buildReport(ctx, cfg, hist, time.Now())
	if err != nil {
		return err
	}
	return writeForms(env, o, r, func(b *bytes.Buffer) error { return report.WriteHTML(b, r) },
		func(b *bytes.Buffer) error { return report.WriteMarkdown(b, r) })
}

// buildReport reads the checkpoint and builds the report of the latest
// rebuild (or, after a destroy, of the history's latest record).
func buildReport(ctx context.Context, cfg *config.Config, hist []history.Record, now time.Time) (*report.Report, error) {
	c, live := &checkpoint.Checkpoint{}, (*checkpoint.Holder)(nil)
	store, err := wired().Store(ctx, cfg, false)
	if err != nil {
		return nil, err
	}
	if store != nil {
		if got, err := store.Load(ctx); err != nil {
			return nil, err
		} else if got != nil {
			c = got
		}
		if live, err = store.Locked(ctx); err != nil {
			return nil, err
		}
	}
	if c.StartedAt.IsZero() && len(hist) == 0 {
		return nil, fmt.Errorf("report: %s has no rebuild on record and no history; run apply or drill first", cfg.Project)
	}
	p, err := stages.Build(cfg, c.With)
	if err != nil {
		return nil, err
	}
	st := timeline.Read(cfg, c, p, live, now)
	sum, err := configHash(cfg)
	if err != nil {
		return nil, err
	}
	red := events.NewRedactor(os.Getenv("AWS_SECRET_ACCESS_KEY"), os.Getenv("AWS_SESSION_TOKEN"))
	return report.Build(st, c, p, hist, report.Meta{ConfigHash: sum, Now: now, Redact: red.String}), nil
}

// configHash is the SHA-256 of the config file.
func configHash(cfg *config.Config) (string, error) {
	b, err := os.ReadFile(filepath.Join(cfg.Dir, filepath.Base(cfg.Filename)))
	if err != nil {
		return "", fmt.Errorf("report: read the config to hash it: %w", err)
	}
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:]), nil
}

// writeForms writes each form asked for; Markdown on stdout when none is.
func writeForms(env *cliEnv, o ReportOptions, v any, html, md func(*bytes.Buffer) error) error {
	if o.HTML == "" && o.Markdown == "" && o.JSON == "" {
		var b bytes.Buffer
		if err := md(&b); err != nil {
			return err
		}
		_, err := env.stdout.Write(b.Bytes())
		return err
	}
	forms := []struct {
		path  string
		write func(*bytes.Buffer) error
	}{{o.HTML, html}, {o.Markdown, md}, {o.JSON, func(b *bytes.Buffer) error { return report.WriteJSON(b, v) }}}
	for _, f := range forms {
		if f.path == "" {
			continue
		}
		var b bytes.Buffer
		if err := f.write(&b); err != nil {
			return err
		}
		if err := os.WriteFile(f.path, b.Bytes(), 0o644); err != nil {
			return fmt.Errorf("report: write %s: %w", f.path, err)
		}
		fmt.Fprintf(env.stdout, "report: wrote %s\n", f.path)
	}
	return nil
}

// writeDrillReport writes a drill's HTML report, before its teardown; a
// report that cannot be written is said and does not fail the drill.
func writeDrillReport(ctx context.Context, env *cliEnv, cfg *config.Config, path string) {
	err := func() error {
		h, err := openHistory(ctx, cfg)
		if err != nil {
			return err
		}
		hist, err := h.List(ctx, 0)
		if err != nil {
			return err
		}
		r, err := buildReport(ctx, cfg, hist, time.Now())
		if err != nil {
			return err
		}
		var b bytes.Buffer
		if err := report.WriteHTML(&b, r); err != nil {
			return err
		}
		return os.WriteFile(path, b.Bytes(), 0o644)
	}()
	if err != nil {
		fmt.Fprintf(env.stderr, "warning: drill --report %s: %v\n", path, err)
		return
	}
	fmt.Fprintf(env.stdout, "drill: wrote the report %s\n", path)
}
