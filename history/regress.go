package history

import "github.com/tfrebuild/tfrebuild/stages"

// Slower is how much slower than its median a stage must be to count as
// a regression (25%); MinSlower the least absolute difference that
// counts (seconds), so that a stage of a second or two does not flag its
// jitter.
const (
	Slower    = 1.25
	MinSlower = 2.0
)

// Regression is a stage of one record that took more than Slower times
// its median over the records before it.
type Regression struct {
	RunID         string  `json:"run_id"`
	Stage         string  `json:"stage"`
	Seconds       float64 `json:"seconds"`
	MedianSeconds float64 `json:"median_seconds"`
}

// Regressions flags, in every record (oldest first), each done stage
// slower than Slower times its median over the up to Window records
// before it; a stage needs two earlier times to have a median.
func Regressions(records []Record) []Regression {
	var out []Regression
	for i, r := range records {
		before := newest(records[:i], Window)
		for _, st := range r.Stages {
			if st.Status != stages.Done {
				continue
			}
			xs := stageSeconds(before, st.Stage)
			m, ok := median(xs)
			if !ok || len(xs) < 2 {
				continue
			}
			if st.Seconds > m*Slower && st.Seconds-m >= MinSlower {
				out = append(out, Regression{RunID: r.RunID, Stage: st.Stage, Seconds: st.Seconds, MedianSeconds: round3(m)})
			}
		}
	}
	return out
}
