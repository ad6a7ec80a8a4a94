package timeline

import (
	"time"

	"github.com/tfrebuild/tfrebuild/checkpoint"
)

// Durations is how long each stage's work took when it last did it (its
// last applied attempt on record, this rebuild's or the last one's): the
// estimates the runner orders ready stages by, so that the longest
// remaining path starts first. Stages that never did their work are
// absent.
func Durations(c *checkpoint.Checkpoint) map[string]time.Duration {
	out := map[string]time.Duration{}
	if c == nil {
		return out
	}
	for name, rec := range c.Stages {
		for i := len(rec.History) - 1; i >= 0; i-- {
			a := rec.History[i]
			if a.Outcome == checkpoint.Applied && a.FinishedAt != nil {
				out[name] = a.FinishedAt.Sub(a.StartedAt)
				break
			}
		}
	}
	return out
}
