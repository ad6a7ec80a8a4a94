package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"golang.org/x/term"
)

// cliEnv is what every command writes to: results to stdout, logs and
// progress to stderr.
type cliEnv struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// command is one subcommand: its flags live in its own options struct and
// its work in a plain runX function.
type command struct {
	name    string
	summary string
	usage   string
	example string
	run     func(ctx context.Context, env *cliEnv, args []string) error
}

var errHelp = errors.New("help shown")

type usageError struct {
	msg  string
	hint string
}

func (e *usageError) Error() string { return e.msg }

func commands() map[string]*command {
	list := []*command{
		validateCommand(), graphCommand(), runbookCommand(),
		applyCommand(), planCommand(), statusCommand(), confirmCommand(),
		destroyCommand(), drillCommand(), outputCommand(), reportCommand(), readinessCommand(),
	}
	m := map[string]*command{}
	for _, c := range list {
		m[c.name] = c
	}
	return m
}

func dispatch(ctx context.Context, env *cliEnv, args []string) error {
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) > 1 && cmds[args[1]] != nil {
			return dispatch(ctx, env, []string{args[1], "--help"})
		}
		printUsage(env.stdout, cmds)
		if len(args) == 0 {
			return &usageError{msg: "no command given", hint: "tfrebuild validate --config rebuild.hcl"}
		}
		return errHelp
	}
	if args[0] == "--version" || args[0] == "-version" || args[0] == "version" {
		fmt.Fprintf(env.stdout, "tfrebuild %s\n", version)
		return nil
	}
	c := cmds[args[0]]
	if c == nil {
		names := slices.Sorted(maps.Keys(cmds))
		return &usageError{msg: fmt.Sprintf("unknown command %q", args[0]), hint: "tfrebuild --help (commands: " + strings.Join(names, ", ") + ")"}
	}
	return c.run(ctx, env, args[1:])
}

func printUsage(w io.Writer, cmds map[string]*command) {
	fmt.Fprintln(w, "tfrebuild rebuilds a Terraform-managed environment from nothing, in order, with checkpoints.")
	fmt.Fprintln(w, "\nUsage: tfrebuild COMMAND [options]\n\nCommands:")
	for _, n := range slices.Sorted(maps.Keys(cmds)) {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'tfrebuild COMMAND --help' for a command's options. 'tfrebuild --version' prints the version.")
}

// newFlags builds a command's flag set; --help prints its usage and example.
func newFlags(env *cliEnv, c *command) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		w := env.stdout
		fmt.Fprintf(w, "Usage: tfrebuild %s\n\n%s\n\nOptions:\n", c.usage, c.summary)
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(env.stderr)
		fmt.Fprintf(w, "\nExample:\n  %s\n", c.example)
	}
	return fs
}

// parseFlags parses flags that may come before or after positional
// arguments, and returns the positional ones.
func parseFlags(fs *flag.FlagSet, args []string, c *command) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errHelp
			}
			return nil, &usageError{msg: err.Error(), hint: "tfrebuild " + c.name + " --help"}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// isTerminal reports whether f is an interactive terminal (not merely a
// character device such as /dev/null).
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	return ok && term.IsTerminal(int(file.Fd()))
}

// runFlags are the flags apply and plan share.
type runFlags struct {
	Config      string
	With        stringList
	Only        stringList // apply and plan only
	WithDeps    bool
	Parallelism int
	NoDownload  bool
	// Events is --events: where to write the event stream ("-": stdout).
	Events string
	// IncidentAt is --incident-at (apply, plan, drill).
	IncidentAt incidentTime

	// mode names the command in the events; subs, when set, are the
	// event stream's readers a drill shares between its apply and destroy.
	mode string
	subs *subscribers
}

func (f *runFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.Config, "config", "rebuild.hcl", "the rebuild config `FILE`")
	fs.Var(&f.With, "with", "include the optional stack `NAME` (repeatable)")
	fs.IntVar(&f.Parallelism, "parallelism", 4, "run at most `N` stages at once")
	fs.BoolVar(&f.NoDownload, "no-download", false, "never download Terraform; use an installed binary")
	fs.StringVar(&f.Events, "events", "", "also write the run's events as JSON lines to `FILE` (appended; - for stdout, and results go to stderr; docs/events.md)")
}

func (f *runFlags) check(c *command) error {
	if f.Parallelism < 1 {
		return &usageError{msg: "--parallelism must be at least 1", hint: "tfrebuild " + c.name + " --parallelism 4"}
	}
	if f.WithDeps && len(f.Only) == 0 {
		return &usageError{msg: "--with-deps needs --only", hint: "tfrebuild " + c.name + " --only STACK --with-deps"}
	}
	return nil
}
