package timeline

import (
	"math"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/stages"
)

// CriticalPath finds the chain of done stages that determined how long
// the rebuild took: the longest chain through the stage graph, each stage
// counted for the time its successful attempt took (failed attempts and
// idle time are in the RTO breakdown instead). The slack of a stage off
// the chain is how much longer it could have taken without making the
// chain longer: where not to invest. Nil when no stage is done yet.
func CriticalPath(c *checkpoint.Checkpoint, p *stages.Pipeline) *events.CriticalPath {
	took := map[string]float64{}
	var order []*stages.Stage
	for _, s := range p.Stages {
		rec := c.Lookup(s.Name)
		if s.Skipped || rec == nil || rec.Status != stages.Done || rec.StartedAt == nil || rec.FinishedAt == nil {
			continue
		}
		took[s.Name] = rec.Elapsed().Seconds()
		order = append(order, s)
	}
	if len(order) == 0 {
		return nil
	}
	// p.Stages is in dependency order: a stage comes after its deps.
	finish, via := map[string]float64{}, map[string]string{}
	var last string
	for _, s := range order {
		best, from := 0.0, ""
		for _, d := range s.Deps {
			if _, ok := took[d]; ok && (from == "" || finish[d] > best) {
				best, from = finish[d], d
			}
		}
		finish[s.Name], via[s.Name] = best+took[s.Name], from
		if last == "" || finish[s.Name] > finish[last] {
			last = s.Name
		}
	}
	// tail is the longest chain from a stage to the end, itself included.
	tail := map[string]float64{}
	for i := len(order) - 1; i >= 0; i-- {
		s := order[i]
		best := 0.0
		for _, d := range p.Dependents(s.Name) {
			if _, ok := took[d]; ok && tail[d] > best {
				best = tail[d]
			}
		}
		tail[s.Name] = best + took[s.Name]
	}
	length := finish[last]
	out := &events.CriticalPath{Seconds: round3(length)}
	onPath := map[string]bool{}
	var chain []string
	for n := last; n != ""; n = via[n] {
		chain = append([]string{n}, chain...)
		onPath[n] = true
	}
	for _, n := range chain {
		share := 0.0
		if length > 0 {
			share = took[n] / length
		}
		out.Stages = append(out.Stages, events.PathStage{Stage: n, Seconds: round3(took[n]), Share: round3(share)})
	}
	for _, s := range order {
		if onPath[s.Name] {
			continue
		}
		through := finish[s.Name] + tail[s.Name] - took[s.Name]
		out.Slack = append(out.Slack, events.StageSlack{Stage: s.Name, Seconds: round3(took[s.Name]), SlackSeconds: round3(math.Max(0, length-through))})
	}
	return out
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }
