package terraform

import (
	"fmt"
	"strings"
	"time"
)

// Timing is how long one Terraform command of a stack took, measured
// around the process: with a stage's duration it tells Terraform's time from
// tfrebuild's own.
type Timing struct {
	Command string
	Elapsed time.Duration
}

// timed runs one Terraform command: it marks the log, times the command
// and keeps the timing for the stack's result. The closing line does not
// start with logMarker, so that a failure's error lines still come from
// the command's own output.
func (h *handle) timed(command string, run func() error) error {
	h.mark(command)
	start := time.Now()
	err := run()
	took := time.Since(start)
	h.timings = append(h.timings, Timing{Command: command, Elapsed: took})
	fmt.Fprintf(h.log, "### tfrebuild: %s took %s\n", command, took.Round(time.Millisecond))
	return err
}

// takeTimings returns the stack's timings since the last call.
func (h *handle) takeTimings() []Timing {
	t := h.timings
	h.timings = nil
	return t
}

// timingNote sums up where a stack's time in Terraform went, for the
// stage's notes: "terraform processes took 3.83s: init 0.31s, apply 3.52s".
func timingNote(program string, ts []Timing) string {
	if len(ts) == 0 {
		return ""
	}
	parts := make([]string, 0, len(ts))
	var total time.Duration
	for _, t := range ts {
		verb, _, _ := strings.Cut(t.Command, " (")
		parts = append(parts, fmt.Sprintf("%s %.2fs", verb, t.Elapsed.Seconds()))
		total += t.Elapsed
	}
	return fmt.Sprintf("%s processes took %.2fs: %s", program, total.Seconds(), strings.Join(parts, ", "))
}
