package rebuild

import (
	"time"

	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/outcome"
)

// EmitDrillVerdict sends a drill's verdict to sinks as a drill_verdict
// event: the rebuild's time against the RTO and each restore's recovery
// point against the RPO. It belongs to the drill's rebuild run (sum's run
// ID) and comes between that run's events and the teardown's.
func EmitDrillVerdict(cfg *config.Config, sum *outcome.Summary, v outcome.DrillVerdict, sinks ...events.Sink) {
	runID := ""
	if sum != nil {
		runID = sum.RunID
	}
	bus := events.NewBus(runID, cfg.Project, "drill", sinks...)
	bus.Emit(events.Event{Type: events.DrillVerdict, Time: time.Now().UTC(), Verdict: verdictOf(cfg, sum, v)})
}

func verdictOf(cfg *config.Config, sum *outcome.Summary, v outcome.DrillVerdict) *events.Verdict {
	out := &events.Verdict{Passed: v.Passed, Reason: v.Reason, TookSeconds: v.Took.Seconds(), RTOSeconds: v.RTO.Seconds(),
		RTOMet: v.RTO == 0 || v.Took <= v.RTO, RPOSeconds: cfg.RPO.Seconds()}
	if sum == nil {
		return out
	}
	for _, st := range sum.Stages {
		if st.Restore == nil {
			continue
		}
		r := st.Restore.RPO
		out.Restores = append(out.Restores, events.RestoreRPO{Stage: st.Name, RecoveryPoint: r.RecoveryPoint, DataAgeSeconds: r.DataAgeSeconds, RPOMet: r.RPOMet})
	}
	return out
}
