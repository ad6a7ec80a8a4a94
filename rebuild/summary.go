package rebuild

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tfrebuild/tfrebuild/stages"
)

// Summary is the outcome of a run, stage by stage, measured against the
// recovery time objective.
type Summary struct {
	Project string         `json:"project"`
	Stages  []StageSummary `json:"stages"`
	Total   time.Duration  `json:"-"`
	RTO     time.Duration  `json:"-"`
}

// StageSummary is one row of the summary.
type StageSummary struct {
	Name     string        `json:"name"`
	Status   stages.Status `json:"status"`
	Duration time.Duration `json:"-"`
	Error    string        `json:"error,omitempty"`
	Notes    []string      `json:"notes,omitempty"`
}

func (r *run) summary(res *stages.Result, start time.Time) *Summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := &Summary{Project: r.cfg.Project, Total: time.Since(start), RTO: r.cfg.RTO}
	for _, st := range r.pipeline.Stages {
		rec := r.ckpt.Stage(st.Name)
		row := StageSummary{Name: st.Name, Status: res.Status[st.Name], Notes: rec.Notes}
		if rec.StartedAt != nil && rec.FinishedAt != nil && row.Status != stages.Pending {
			row.Duration = rec.FinishedAt.Sub(*rec.StartedAt)
		}
		if row.Status == stages.Failed || row.Status == stages.Blocked || row.Status == stages.Interrupted {
			row.Error = rec.Error
		}
		s.Stages = append(s.Stages, row)
	}
	return s
}

// WriteText prints the summary as a table with the time each stage took
// and the total against the RTO.
func (s *Summary) WriteText(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STAGE\tSTATUS\tTIME")
	for _, st := range s.Stages {
		d := "-"
		if st.Duration > 0 {
			d = st.Duration.Round(100 * time.Millisecond).String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", st.Name, st.Status, d)
	}
	tw.Flush()
	fmt.Fprintf(w, "\ntotal %s", s.Total.Round(100*time.Millisecond))
	if s.RTO > 0 {
		fmt.Fprintf(w, " of RTO %s (%.1f%%)", s.RTO, 100*s.Total.Seconds()/s.RTO.Seconds())
		if s.Total > s.RTO {
			fmt.Fprint(w, ": OVER the recovery time objective")
		}
	}
	fmt.Fprintln(w)
	for _, st := range s.Stages {
		if st.Error != "" && st.Status == stages.Failed {
			fmt.Fprintf(w, "\n%s failed:\n  %s\n", st.Name, strings.ReplaceAll(st.Error, "\n", "\n  "))
		}
	}
}

// WriteJSON prints the summary as one JSON object.
func (s *Summary) WriteJSON(w io.Writer) error {
	type row struct {
		StageSummary
		Seconds float64 `json:"seconds"`
	}
	out := struct {
		Type         string  `json:"type"`
		Project      string  `json:"project"`
		Stages       []row   `json:"stages"`
		TotalSeconds float64 `json:"total_seconds"`
		RTOSeconds   float64 `json:"rto_seconds,omitempty"`
	}{Type: "summary", Project: s.Project, TotalSeconds: s.Total.Seconds(), RTOSeconds: s.RTO.Seconds()}
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
