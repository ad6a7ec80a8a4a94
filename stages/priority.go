package stages

import (
	"sort"
	"time"
)

// unknownStage is the weight of a stage with no estimate: a path of more
// stages still counts as longer when nothing is known.
const unknownStage = time.Millisecond

// RemainingPath is, for each stage, the longest chain of work from its
// start to the end of the pipeline, itself included: its own estimate
// plus the longest remaining path among its dependents. est gives a
// stage's expected duration (nil or ≤ 0: unknown, counted as 1 ms).
func RemainingPath(p *Pipeline, est func(*Stage) time.Duration) map[string]time.Duration {
	out := make(map[string]time.Duration, len(p.Stages))
	// p.Stages is in dependency order: dependents come later.
	for i := len(p.Stages) - 1; i >= 0; i-- {
		s := p.Stages[i]
		var tail time.Duration
		for _, d := range p.Dependents(s.Name) {
			tail = max(tail, out[d])
		}
		own := unknownStage
		if est != nil {
			if d := est(s); d > 0 {
				own = d
			}
		}
		if s.Skipped {
			own = 0
		}
		out[s.Name] = own + tail
	}
	return out
}

// longestFirst orders ready stages by their remaining path, longest
// first; stages with equal paths keep the order they became ready in.
func longestFirst(ready []string, path map[string]time.Duration) {
	sort.SliceStable(ready, func(i, j int) bool { return path[ready[i]] > path[ready[j]] })
}
