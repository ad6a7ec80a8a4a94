package ui

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tfrebuild/tfrebuild/timeline"
)

// WriteStatus prints the status as a table.
func WriteStatus(w io.Writer, st *timeline.Status) {
	fmt.Fprintf(w, "%s → account %s, %s", st.Project, st.Account, st.Region)
	if st.StartedAt == nil {
		fmt.Fprintln(w, ": no rebuild has started")
	} else {
		el := time.Duration(st.ElapsedSeconds * float64(time.Second)).Round(time.Second)
		if len(st.Next) == 0 {
			fmt.Fprintf(w, ": rebuild began %s and took %s", st.StartedAt.Format(time.RFC3339), el)
		} else {
			fmt.Fprintf(w, ": rebuild began %s, %s ago", st.StartedAt.Format(time.RFC3339), el)
		}
		if st.RTOSeconds > 0 {
			fmt.Fprintf(w, " (RTO %s)", time.Duration(st.RTOSeconds*float64(time.Second)))
		}
		fmt.Fprintln(w)
		writeClock(w, "  ", st.RTO)
		writePath(w, "  ", st.CriticalPath)
	}
	if st.Running != nil {
		fmt.Fprintf(w, "a run is in progress: %s\n", st.Running)
	}
	if st.Engine != "" {
		fmt.Fprintf(w, "engine: %s\n", st.Engine)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nSTAGE\tSTATUS\tATTEMPTS\tSTARTED\tTIME\tERROR")
	for _, s := range st.Stages {
		started, took := "-", "-"
		if s.StartedAt != nil {
			started = s.StartedAt.Local().Format("15:04:05")
		}
		if s.Seconds > 0 {
			took = time.Duration(s.Seconds * float64(time.Second)).Round(100 * time.Millisecond).String()
		}
		errText, _, _ := strings.Cut(s.Error, "\n")
		status := string(s.Status)
		if s.Status == timeline.Confirmed && s.ConfirmedBy != "" {
			status += " by " + s.ConfirmedBy
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", s.Name, status, s.AttemptCount, started, took, errText)
	}
	tw.Flush()
	if len(st.Next) > 0 {
		fmt.Fprintf(w, "\nnext: %s\n", strings.Join(st.Next, ", "))
	} else if st.StartedAt != nil {
		fmt.Fprintln(w, "\nnext: nothing; the rebuild is complete")
	}
	for _, d := range st.Drift {
		fmt.Fprintln(w, d)
	}
	statusRestores(w, st)
}

// WriteStatusJSON prints the status as JSON.
func WriteStatusJSON(w io.Writer, st *timeline.Status) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(st)
}
