package main

import (
	"context"

	"github.com/tfrebuild/tfrebuild/stages"
)

func graphCommand() *command {
	c := &command{
		name:    "graph",
		summary: "Print the pipeline as a Graphviz DOT (default) or Mermaid graph.",
		usage:   "graph [--config FILE] [--format dot|mermaid] [--with NAME]...",
		example: "tfrebuild graph --config rebuild.hcl --format mermaid",
	}
	c.run = func(ctx context.Context, env *cliEnv, args []string) error {
		fs := newFlags(env, c)
		cfgPath := configFlag(fs)
		format := fs.String("format", "dot", "`dot` or mermaid")
		var with stringList
		fs.Var(&with, "with", "include the optional stack `NAME` (repeatable)")
		if _, err := parseFlags(fs, args, c); err != nil {
			return err
		}
		if *format != "dot" && *format != "mermaid" {
			return &usageError{msg: "--format must be dot or mermaid, not " + *format, hint: "tfrebuild graph --format mermaid"}
		}
		cfg, err := loadConfig(env.stderr, *cfgPath)
		if err != nil {
			return err
		}
		p, err := stages.Build(cfg, with)
		if err != nil {
			return err
		}
		if *format == "mermaid" {
			return stages.WriteMermaid(env.stdout, p)
		}
		return stages.WriteDOT(env.stdout, p)
	}
	return c
}

func runbookCommand() *command {
	c := &command{
		name:    "runbook",
		summary: "Print the pipeline as a Markdown runbook.",
		usage:   "runbook [--config FILE] [--with NAME]...",
		example: "tfrebuild runbook --config rebuild.hcl > RUNBOOK.md",
	}
	c.run = func(ctx context.Context, env *cliEnv, args []string) error {
		fs := newFlags(env, c)
		cfgPath := configFlag(fs)
		var with stringList
		fs.Var(&with, "with", "include the optional stack `NAME` (repeatable)")
		if _, err := parseFlags(fs, args, c); err != nil {
			return err
		}
		cfg, err := loadConfig(env.stderr, *cfgPath)
		if err != nil {
			return err
		}
		p, err := stages.Build(cfg, with)
		if err != nil {
			return err
		}
		return stages.WriteRunbook(env.stdout, cfg, p)
	}
	return c
}
