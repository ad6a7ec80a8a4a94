package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/internal/ui"
	"github.com/tfrebuild/tfrebuild/notify"
	"golang.org/x/term"
)

// subscribers are the readers of a run's event stream besides the
// terminal progress: the --events stream and the notify blocks. A drill
// opens them once for its apply and its destroy.
type subscribers struct {
	stream *events.NDJSON
	hooks  *notify.Set
}

// openSubscribers opens the --events stream (path "" for none) and, when
// notifying, a webhook per notify block of the config.
func openSubscribers(env *cliEnv, cfg *config.Config, path string, notifying bool) (*subscribers, error) {
	s := &subscribers{}
	if path != "" {
		stream, err := events.OpenNDJSON(path, env.stdout)
		if err != nil {
			return nil, err
		}
		s.stream = stream
	}
	if notifying && len(cfg.Notifications) > 0 {
		var opts []notify.Options
		for _, n := range cfg.Notifications {
			opts = append(opts, notify.Options{Name: n.Name, URL: n.URL, On: n.On, Format: n.Format})
		}
		hooks, err := notify.NewSet(opts...)
		if err != nil {
			s.close()
			return nil, fmt.Errorf("%s: %w", cfg.Filename, err)
		}
		s.hooks = hooks
	}
	return s, nil
}

func (s *subscribers) sinks() []events.Sink {
	var out []events.Sink
	if s.stream != nil {
		out = append(out, s.stream)
	}
	if s.hooks != nil {
		out = append(out, s.hooks)
	}
	return out
}

// failures are what the stream and the notifications lost so far, as
// notes for the summary.
func (s *subscribers) failures() []string {
	var errs []error
	if s.stream != nil {
		errs = append(errs, s.stream.Err())
	}
	errs = append(errs, s.hooks.Failures()...)
	return notes(errs...)
}

// close waits (briefly) for the stream and the notifications still
// queued, and returns what was lost, as notes for the summary.
func (s *subscribers) close() []string {
	var errs []error
	if s.stream != nil {
		errs = append(errs, s.stream.Close())
	}
	return notes(append(errs, s.hooks.Close())...)
}

// notes flattens errors (errors.Join too) into one line each.
func notes(errs ...error) []string {
	var out []string
	for _, err := range errs {
		if err == nil {
			continue
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			out = append(out, notes(j.Unwrap()...)...)
			continue
		}
		out = append(out, err.Error())
	}
	return out
}

// printNotes writes notes that have no summary to carry them.
func printNotes(w io.Writer, list []string) {
	for _, n := range list {
		fmt.Fprintln(w, "note: "+n)
	}
}

// resultsTo is where results and summaries go: stdout, unless the event
// stream has it (--events -).
func (f *runFlags) resultsTo(env *cliEnv) io.Writer {
	if f.Events == "-" {
		return env.stderr
	}
	return env.stdout
}

// newProgress is the terminal progress of a run: live lines on an
// interactive terminal, plain timestamped lines elsewhere and in CI.
func newProgress(env *cliEnv, w io.Writer, jsonMode bool) *ui.Progress {
	return ui.NewProgress(w, !jsonMode && liveTerminal(env.stderr), jsonMode)
}

// liveTerminal reports whether progress may redraw lines in place: an
// interactive terminal, and not a CI job (whose log shows a terminal
// emulator's output as text).
func liveTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd())) && os.Getenv("CI") == ""
}

// appendStepSummary appends a summary to the GitHub step summary when
// there is one; a failure is a note, never the run's failure.
func appendStepSummary(env *cliEnv, markdown string) {
	if err := notify.AppendStepSummary(markdown); err != nil {
		fmt.Fprintln(env.stderr, "note: "+err.Error())
	}
}

var errEventsAndJSON = errors.New("--json and --events - both write to stdout")
