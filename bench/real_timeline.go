package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// span is one stage of a tfrebuild run, from its --json stage events:
// offsets from the start of the tfrebuild process.
type span struct {
	stage      string
	start, end time.Duration
	status     string
}

// timeline reads the stage events of `apply --json` (running, then done,
// failed or skipped, each with its time) into spans, ordered by start.
// A stage that only finished (skipped without running) spans no time.
func timeline(out string, started time.Time) []span {
	byStage := map[string]*span{}
	var order []string
	for _, line := range strings.Split(out, "\n") {
		var e struct {
			Type   string    `json:"type"`
			Time   time.Time `json:"time"`
			Stage  string    `json:"stage"`
			Status string    `json:"status"`
		}
		if json.Unmarshal([]byte(line), &e) != nil || e.Type != "stage" || e.Stage == "" || e.Time.IsZero() {
			continue
		}
		at := e.Time.Sub(started)
		s := byStage[e.Stage]
		if s == nil {
			s = &span{stage: e.Stage, start: at, end: at}
			byStage[e.Stage] = s
			order = append(order, e.Stage)
		}
		if e.Status != "running" {
			s.end, s.status = at, e.Status
		}
	}
	out2 := make([]span, 0, len(order))
	for _, st := range order {
		out2 = append(out2, *byStage[st])
	}
	sort.SliceStable(out2, func(i, j int) bool { return out2[i].start < out2[j].start })
	return out2
}

// printTimeline draws one bar per stage over the run's wall time, width
// columns wide: '#' while the stage ran.
func printTimeline(w io.Writer, spans []span, wall time.Duration, width int) {
	if wall <= 0 {
		return
	}
	col := func(d time.Duration) int {
		c := int(float64(d) / float64(wall) * float64(width))
		return min(max(c, 0), width)
	}
	fmt.Fprintf(w, "    %-18s %7s %7s  |%s| (%s)\n", "stage", "start", "end", strings.Repeat("-", width), r(wall))
	for _, s := range spans {
		a, b := col(s.start), col(s.end)
		if b == a && s.end > s.start {
			b = min(a+1, width)
		}
		bar := strings.Repeat(" ", a) + strings.Repeat("#", b-a) + strings.Repeat(" ", width-b)
		fmt.Fprintf(w, "    %-18s %6.1fs %6.1fs  |%s| %s\n", s.stage, s.start.Seconds(), s.end.Seconds(), bar, s.status)
	}
}
