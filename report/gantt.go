package report

import (
	"fmt"
	"time"

	"github.com/tfrebuild/tfrebuild/checkpoint"
)

// Bar is one stretch of a stage on the timeline: an attempt or a wait
// for a person, in seconds from the start of the rebuild.
type Bar struct {
	Stage    string  `json:"stage"`
	From     float64 `json:"from"`
	To       float64 `json:"to"`
	Kind     string  `json:"kind"` // an attempt outcome, "waiting for a person" or "running"
	Critical bool    `json:"critical,omitempty"`
	Error    string  `json:"error,omitempty"`
}

// Colours of the bars by kind; the critical path's applied attempts have
// their own (CriticalColour), which tests look for in a screenshot.
const CriticalColour = "#7b1fa2"

var colours = map[string]string{
	string(checkpoint.Applied):     "#1f77b4",
	string(checkpoint.UpToDate):    "#b0bec5",
	string(checkpoint.Failed):      "#d32f2f",
	string(checkpoint.Interrupted): "#f57c00",
	string(checkpoint.Waited):      "#fbc02d",
	"waiting for a person":         "#fff59d",
	"running":                      "#64b5f6",
}

// Bars are the timeline's bars, stage by stage in pipeline order, and its
// length in seconds.
func (r *Report) Bars() ([]Bar, float64) {
	if r.StartedAt == nil {
		return nil, 0
	}
	start := *r.StartedAt
	length := 0.0
	if r.RTO != nil {
		length = r.RTO.ElapsedSeconds
	}
	sec := func(t time.Time) float64 { return t.Sub(start).Seconds() }
	critical := map[string]bool{}
	if r.CriticalPath != nil {
		for _, s := range r.CriticalPath.Stages {
			critical[s.Stage] = true
		}
	}
	var out []Bar
	for _, s := range r.Stages {
		var waitFrom *time.Time
		for _, a := range s.Attempts {
			to := r.attemptEnd(a)
			b := Bar{Stage: s.Name, From: sec(a.StartedAt), To: sec(to), Kind: string(a.Outcome), Error: a.Error}
			if b.Kind == "" {
				b.Kind = "running"
			}
			b.Critical = critical[s.Name] && a.Outcome == checkpoint.Applied
			out = append(out, b)
			if a.Outcome == checkpoint.Waited && waitFrom == nil {
				t := to
				waitFrom = &t
			}
		}
		if waitFrom != nil {
			until := start.Add(time.Duration(length * float64(time.Second)))
			if s.ConfirmedAt != nil && !s.ConfirmedAt.Before(*waitFrom) {
				until = *s.ConfirmedAt
			}
			for _, a := range s.Attempts {
				if a.Outcome == checkpoint.Applied && a.StartedAt.After(*waitFrom) && a.StartedAt.Before(until) {
					until = a.StartedAt
					break
				}
			}
			out = append(out, Bar{Stage: s.Name, From: sec(*waitFrom), To: sec(until), Kind: "waiting for a person"})
		}
	}
	for _, b := range out {
		length = max(length, b.To)
	}
	return out, length
}

// attemptEnd is when an attempt stopped: its end, or the end of its run.
func (r *Report) attemptEnd(a checkpoint.Attempt) time.Time {
	if a.FinishedAt != nil {
		return *a.FinishedAt
	}
	for _, run := range r.Runs {
		if run.RunID == a.RunID && run.End().After(a.StartedAt) {
			return run.End()
		}
	}
	return a.StartedAt
}

// clock formats seconds as 1h02m03s, 4m05s or 6s.
func clock(s float64) string {
	d := time.Duration(s * float64(time.Second)).Round(time.Second)
	h, m, sec := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	switch {
	case h > 0:
		return fmt.Sprintf("%dh%02dm%02ds", h, m, sec)
	case m > 0:
		return fmt.Sprintf("%dm%02ds", m, sec)
	}
	return fmt.Sprintf("%ds", sec)
}
