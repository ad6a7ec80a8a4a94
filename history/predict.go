package history

import (
	"slices"

	"github.com/tfrebuild/tfrebuild/stages"
)

// Window is how many of the newest records a prediction or a median
// looks at.
const Window = 5

// Node is one stage of a pipeline: its name and what it waits for.
type Node struct {
	Name string
	Deps []string
}

// Nodes are the stages of p that run, in p's order (dependencies first).
func Nodes(p *stages.Pipeline) []Node {
	var out []Node
	for _, s := range p.Stages {
		if !s.Skipped {
			out = append(out, Node{Name: s.Name, Deps: s.Deps})
		}
	}
	return out
}

// Prediction is the RTO the next rebuild can expect from the history.
type Prediction struct {
	// Seconds is the length of the critical path, each stage counted for
	// its median duration over the newest runs that have it.
	Seconds float64 `json:"seconds"`
	// Path is that chain, first stage first.
	Path []string `json:"path"`
	// Runs is how many records the figures rest on (0: no prediction).
	Runs int `json:"runs"`
	// Unmeasured are the stages of the pipeline no record has a time
	// for: counted as zero.
	Unmeasured []string `json:"unmeasured,omitempty"`
}

// Predict is the predicted RTO of the pipeline nodes (in dependency
// order) from the records (oldest first): only the newest Window
// records that completed count, and only drills when there are any (a
// drill rebuilds from nothing; a rebuild may have found most of the
// target in place).
func Predict(nodes []Node, records []Record) Prediction {
	var used, drills []Record
	for _, r := range records {
		if r.FinishedAt.After(r.StartedAt) && len(r.Stages) > 0 {
			used = append(used, r)
			if r.Kind == Drill {
				drills = append(drills, r)
			}
		}
	}
	if len(drills) > 0 {
		used = drills
	}
	used = newest(used, Window)
	pred := Prediction{Runs: len(used), Path: []string{}}
	if len(used) == 0 {
		return pred
	}
	took := map[string]float64{}
	for _, n := range nodes {
		m, ok := median(stageSeconds(used, n.Name))
		if !ok {
			pred.Unmeasured = append(pred.Unmeasured, n.Name)
		}
		took[n.Name] = m
	}
	finish, via := map[string]float64{}, map[string]string{}
	last := ""
	for _, n := range nodes {
		best, from := 0.0, ""
		for _, d := range n.Deps {
			if f, ok := finish[d]; ok && (from == "" || f > best) {
				best, from = f, d
			}
		}
		finish[n.Name], via[n.Name] = best+took[n.Name], from
		if last == "" || finish[n.Name] > finish[last] {
			last = n.Name
		}
	}
	for s := last; s != ""; s = via[s] {
		pred.Path = append(pred.Path, s)
	}
	slices.Reverse(pred.Path)
	pred.Seconds = round3(finish[last])
	return pred
}

// stageSeconds are the durations of a done stage in the records.
func stageSeconds(records []Record, stage string) []float64 {
	var out []float64
	for _, r := range records {
		if st := r.Stage(stage); st != nil && st.Status == stages.Done {
			out = append(out, st.Seconds)
		}
	}
	return out
}

// median of xs; false when there are none.
func median(xs []float64) (float64, bool) {
	if len(xs) == 0 {
		return 0, false
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m], true
	}
	return (s[m-1] + s[m]) / 2, true
}
