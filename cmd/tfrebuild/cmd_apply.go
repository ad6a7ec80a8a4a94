package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tfrebuild/tfrebuild/rebuild"
	"github.com/tfrebuild/tfrebuild/stages"
)

// ApplyOptions are the flags of apply.
type ApplyOptions struct {
	runFlags
	Yes         bool
	JSON        bool
	RepairState bool
}

func applyCommand() *command {
	c := &command{
		name:    "apply",
		summary: "Rebuild the target: preflight, state bucket and lock table, registries, stacks, checks, steps; resumes from the checkpoint.",
		usage:   "apply [--config FILE] [--with NAME]... [--parallelism N] [--yes] [--json] [--repair-state]",
		example: "tfrebuild apply --config rebuild.hcl --with green --yes",
	}
	c.run = func(ctx context.Context, env *cliEnv, args []string) error {
		var o ApplyOptions
		fs := newFlags(env, c)
		o.register(fs)
		fs.BoolVar(&o.Yes, "yes", false, "do not ask for confirmation (required without a terminal)")
		fs.BoolVar(&o.JSON, "json", false, "print progress and the summary as JSON lines on stdout")
		fs.BoolVar(&o.RepairState, "repair-state", false, "apply the hardened settings to an existing state bucket, lock table and registries that have drifted")
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
	if err := confirm(env, o.Yes, fmt.Sprintf("Rebuild %s in account %s, region %s?", cfg.Project, cfg.Target.AccountID, cfg.Target.Region)); err != nil {
		return err
	}
	progressOut := env.stderr
	if o.JSON {
		progressOut = env.stdout
	}
	progress := rebuild.NewProgress(progressOut, !o.JSON && isTerminal(env.stderr), o.JSON)
	sum, err := rebuild.Apply(ctx, cfg, rebuild.Options{
		With: o.With, Parallelism: o.Parallelism, RepairState: o.RepairState, Download: !o.NoDownload, Progress: progress,
	})
	progress.Close()
	if sum != nil {
		if o.JSON {
			if werr := sum.WriteJSON(env.stdout); werr != nil {
				return werr
			}
		} else {
			fmt.Fprintln(env.stdout)
			sum.WriteText(env.stdout)
		}
	}
	if err != nil && sum != nil && !errors.Is(err, stages.ErrWaiting) {
		return fmt.Errorf("rebuild of %s did not finish; run apply again to resume:\n%w", cfg.Project, indentError(err))
	}
	return err
}

// confirm asks on a terminal; without one it refuses unless --yes.
func confirm(env *cliEnv, yes bool, question string) error {
	if yes {
		return nil
	}
	if !isTerminal(env.stdin) {
		return &usageError{msg: "refusing to change infrastructure without confirmation: no terminal to ask on", hint: "add --yes"}
	}
	fmt.Fprintf(env.stderr, "%s Type 'yes' to continue: ", question)
	line, _ := bufio.NewReader(env.stdin).ReadString('\n')
	if strings.TrimSpace(line) != "yes" {
		return errors.New("not confirmed; nothing was changed")
	}
	return nil
}

type indented struct{ err error }

func (i indented) Error() string { return "  " + strings.ReplaceAll(i.err.Error(), "\n", "\n  ") }
func (i indented) Unwrap() error { return i.err }

func indentError(err error) error { return indented{err} }
