package ui

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/outcome"
	"github.com/tfrebuild/tfrebuild/stages"
)

// WriteSummary prints the summary as a table with the time each stage took
// and the total against the RTO.
func WriteSummary(w io.Writer, s *outcome.Summary) {
	if s.Engine != "" {
		fmt.Fprintf(w, "engine: %s\n", s.Engine)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STAGE\tSTATUS\tTIME")
	for _, st := range s.Stages {
		d := "-"
		if st.Duration > 0 {
			d = st.Duration.Round(100 * time.Millisecond).String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", st.Name, stageStatus(st), d)
	}
	tw.Flush()
	total := s.Elapsed()
	fmt.Fprintf(w, "\ntotal %s", total.Round(100*time.Millisecond))
	if s.RTO > 0 {
		fmt.Fprintf(w, " of RTO %s (%.1f%%)", s.RTO, 100*total.Seconds()/s.RTO.Seconds())
		if total > s.RTO {
			fmt.Fprint(w, ": OVER the recovery time objective")
		}
	}
	if s.Clock != nil && s.Clock.Runs > 1 {
		// Only a rebuild of several runs has a run that is not the whole.
		fmt.Fprintf(w, "; this run %s", s.Total.Round(100*time.Millisecond))
	}
	fmt.Fprintln(w)
	writeClock(w, "  ", s.Clock)
	writePath(w, "  ", s.CriticalPath)
	summaryRestores(w, s)
	writeKept(w, s.Teardown)
	for _, st := range s.Stages {
		if st.Error != "" && st.Status == stages.Failed {
			fmt.Fprintf(w, "\n%s failed:\n  %s\n", st.Name, strings.ReplaceAll(st.Error, "\n", "\n  "))
		}
	}
	if len(s.Notes) > 0 {
		fmt.Fprintln(w, "\nnotes:")
		for _, n := range s.Notes {
			fmt.Fprintf(w, "  %s\n", n)
		}
	}
}

// stageStatus is a row's status as a person reads it.
func stageStatus(st outcome.StageSummary) string {
	if st.UpToDate {
		return "skipped (up to date)"
	}
	return string(st.Status)
}

// WriteSummaryJSON prints the summary as one JSON object.
func WriteSummaryJSON(w io.Writer, s *outcome.Summary) error {
	type row struct {
		outcome.StageSummary
		Seconds float64 `json:"seconds"`
	}
	out := struct {
		Type         string  `json:"type"`
		Project      string  `json:"project"`
		Engine       string  `json:"engine,omitempty"`
		Stages       []row   `json:"stages"`
		TotalSeconds float64 `json:"total_seconds"`
		RTOSeconds   float64 `json:"rto_seconds,omitempty"`
		// The rebuild's clock across runs, and its critical path.
		RTO          *events.RTO          `json:"rto,omitempty"`
		CriticalPath *events.CriticalPath `json:"critical_path,omitempty"`
		Notes        []string             `json:"notes,omitempty"`
	}{Type: "summary", Project: s.Project, Engine: s.Engine, TotalSeconds: s.Total.Seconds(), RTOSeconds: s.RTO.Seconds(),
		RTO: s.Clock, CriticalPath: s.CriticalPath, Notes: s.Notes}
	for _, st := range s.Stages {
		out.Stages = append(out.Stages, row{st, st.Duration.Seconds()})
	}
	b, err := json.Marshal(out)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// WriteDrill prints a drill's verdict against the RTO.
func WriteDrill(w io.Writer, v outcome.DrillVerdict) {
	rto := "no rto set"
	if v.RTO > 0 {
		rto = fmt.Sprintf("RTO %s, %.1f%%", v.RTO, 100*v.Took.Seconds()/v.RTO.Seconds())
	}
	fmt.Fprintf(w, "\ndrill: rebuild took %s (%s): %s\n", v.Took.Round(100*time.Millisecond), rto, v)
}

// WriteSummaryMarkdown writes the summary for a CI job's page (the GitHub
// step summary): the stages, the clock against the RTO, the critical
// path, failures and notes.
func WriteSummaryMarkdown(w io.Writer, title string, s *outcome.Summary) {
	fmt.Fprintf(w, "### %s: %s\n\n| stage | status | time |\n|---|---|---|\n", title, s.Project)
	for _, st := range s.Stages {
		d := "-"
		if st.Duration > 0 {
			d = st.Duration.Round(100 * time.Millisecond).String()
		}
		fmt.Fprintf(w, "| `%s` | %s | %s |\n", st.Name, stageStatus(st), d)
	}
	total := s.Elapsed()
	fmt.Fprintf(w, "\n**Total %s**", total.Round(100*time.Millisecond))
	if s.RTO > 0 {
		verdict := "within"
		if total > s.RTO {
			verdict = "⚠️ OVER"
		}
		fmt.Fprintf(w, " of RTO %s (%.1f%%, %s the objective)", s.RTO, 100*total.Seconds()/s.RTO.Seconds(), verdict)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w)
	writeClock(w, "- ", s.Clock)
	writePath(w, "- ", s.CriticalPath)
	writeChangesMarkdown(w, s)
	for _, st := range s.Stages {
		if st.Error != "" && st.Status == stages.Failed {
			fmt.Fprintf(w, "\n**%s failed:**\n```\n%s\n```\n", st.Name, st.Error)
		}
	}
	for _, n := range s.Notes {
		fmt.Fprintf(w, "\n> %s\n", n)
	}
}

// writeChangesMarkdown lists, per stack, what this run's apply changed,
// marking drift repaired: the repair report of a run in place.
func writeChangesMarkdown(w io.Writer, s *outcome.Summary) {
	var rows []string
	for _, st := range s.Stages {
		for _, c := range st.Changes {
			how := c.Action
			if c.Repaired {
				how += " (drift repaired)"
			}
			rows = append(rows, fmt.Sprintf("| `%s` | `%s` | %s |", st.Name, c.Address, how))
		}
	}
	if len(rows) == 0 {
		return
	}
	fmt.Fprintf(w, "\n**Changed by this run**\n\n| stack | resource | action |\n|---|---|---|\n%s\n", strings.Join(rows, "\n"))
}
