package main

import (
	"context"

	"github.com/tfrebuild/tfrebuild/stages"
)

// GraphOptions are the flags of graph.
type GraphOptions struct {
	Config string
	Format string
	With   stringList
}

func graphCommand() *command {
	c := &command{
		name:    "graph",
		summary: "Print the pipeline as a Graphviz DOT (default) or Mermaid graph.",
		usage:   "graph [--config FILE] [--format dot|mermaid] [--with NAME]...",
		example: "tfrebuild graph --config rebuild.hcl --format mermaid",
	}
	c.run = func(ctx context.Context, env *cliEnv, args []string) error {
		var o GraphOptions
		fs := newFlags(env, c)
		fs.StringVar(&o.Config, "config", "rebuild.hcl", "the rebuild config `FILE`")
		fs.StringVar(&o.Format, "format", "dot", "`dot` or mermaid")
		fs.Var(&o.With, "with", "include the optional stack `NAME` (repeatable)")
		if _, err := parseFlags(fs, args, c); err != nil {
			return err
		}
		if o.Format != "dot" && o.Format != "mermaid" {
			return &usageError{msg: "--format must be dot or mermaid, not " + o.Format, hint: "tfrebuild graph --format mermaid"}
		}
		return runGraph(ctx, env, o)
	}
	return c
}

func runGraph(_ context.Context, env *cliEnv, o GraphOptions) error {
	cfg, err := loadConfig(env.stderr, o.Config)
	if err != nil {
		return err
	}
	p, err := stages.Build(cfg, o.With)
	if err != nil {
		return err
	}
	if o.Format == "mermaid" {
		return stages.WriteMermaid(env.stdout, p)
	}
	return stages.WriteDOT(env.stdout, p)
}
