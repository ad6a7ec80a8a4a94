package rebuild

import (
	"time"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/timeline"
)

// runEnd is how the run ended, as run_finished told it: the summary
// shows the same figures.
type runEnd struct {
	outcome events.Outcome
	took    time.Duration
	rto     *events.RTO
	path    *events.CriticalPath
}

// beginRun makes c the checkpoint of this run. The RTO clock runs from
// the first apply of a rebuild across its resumes; an apply after a
// complete rebuild (or after destroy stopped the clock) starts a new one.
func (c *core) beginRun(ck *checkpoint.Checkpoint) {
	now := c.now().UTC()
	c.phase = phaseOf(ck, c.pipeline)
	if c.phase == phaseNew {
		ck.NewRebuild(now, c.kept) // stages out of this run's scope (--only) keep their records whole
	}
	ck.BeginRun(c.runID, now)
}

// seen moves this run's last sign of life to t. The caller holds c.mu.
func (c *core) seen(t time.Time) { c.ckpt.Seen(c.runID, t) }

// endRun records how this run ended.
func (c *core) endRun(now time.Time, outcome string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ckpt.EndRun(c.runID, now, outcome)
}

// clock is the RTO clock of the rebuild this run belongs to.
func (c *core) clock(now time.Time) *events.RTO {
	c.mu.Lock()
	defer c.mu.Unlock()
	return timeline.Clock(c.ckpt, c.pipeline, c.cfg.RTO, now, c.runID)
}

// runClock is the clock a run's run_started and run_finished carry: none
// for a teardown.
func (c *core) runClock(now time.Time) *events.RTO {
	if c.noClock {
		return nil
	}
	return c.clock(now)
}

// criticalPath is the critical path of this run's rebuild.
func (c *core) criticalPath() *events.CriticalPath {
	c.mu.Lock()
	defer c.mu.Unlock()
	return timeline.CriticalPath(c.ckpt, c.pipeline)
}
