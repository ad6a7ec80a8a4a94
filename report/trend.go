package report

import (
	"time"

	"github.com/tfrebuild/tfrebuild/history"
)

// Trend is the history of a target's rebuilds and drills, for report
// --history. Its JSON form is a contract.
type Trend struct {
	Project    string              `json:"project"`
	RTOSeconds float64             `json:"rto_seconds"`
	Points     []Point             `json:"points"`
	Stages     []string            `json:"stages"`
	Prediction *history.Prediction `json:"prediction,omitempty"`
}

// Point is one rebuild or drill of the history.
type Point struct {
	Kind        string               `json:"kind"`
	RunID       string               `json:"run_id"`
	StartedAt   time.Time            `json:"started_at"`
	Seconds     float64              `json:"seconds"`
	Passed      bool                 `json:"passed"`
	Verdict     string               `json:"verdict"`
	Stages      map[string]float64   `json:"stages"`
	Regressions []history.Regression `json:"regressions,omitempty"`
}

// BuildTrend is the trend of the records (oldest first) for the pipeline
// nodes: a point per record, the stages in pipeline order, regressions
// on the point they happened in, and the predicted RTO.
func BuildTrend(project string, rto time.Duration, nodes []history.Node, records []history.Record) *Trend {
	t := &Trend{Project: project, RTOSeconds: rto.Seconds(), Points: []Point{}, Stages: []string{}}
	regs := history.Regressions(records)
	for _, r := range records {
		p := Point{Kind: r.Kind, RunID: r.RunID, StartedAt: r.StartedAt, Seconds: r.ElapsedSeconds(), Passed: r.Passed, Verdict: r.Verdict, Stages: map[string]float64{}}
		for _, s := range r.Stages {
			p.Stages[s.Stage] = s.Seconds
		}
		for _, g := range regs {
			if g.RunID == r.RunID {
				p.Regressions = append(p.Regressions, g)
			}
		}
		t.Points = append(t.Points, p)
	}
	for _, n := range nodes {
		t.Stages = append(t.Stages, n.Name)
	}
	pred := history.Predict(nodes, records)
	t.Prediction = &pred
	return t
}
