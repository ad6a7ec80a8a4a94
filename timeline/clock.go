package timeline

import (
	"slices"
	"time"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/stages"
)

// span is a stretch of time with what it counts as.
type span struct {
	from, to time.Time
	kind     spanKind
}

// spanKind orders what a moment counts as when spans overlap: progress
// anywhere is working time, even while another stage fails or a step
// waits; a run that is only setting up or winding down works too.
type spanKind int

const (
	spanWorking spanKind = iota
	spanFailed
	spanWaiting
	spanRun
)

// Clock reads the RTO clock from a checkpoint: from the start of the
// rebuild until its last stage finished (or now, while it is not
// complete), split into working, waiting for a person, lost to failed
// attempts, and idle between runs. live is the run in progress, if any:
// its open attempts run until now; those of a dead run end where it was
// last seen.
func Clock(c *checkpoint.Checkpoint, p *stages.Pipeline, target time.Duration, now time.Time, live string) *events.RTO {
	r := &events.RTO{TargetSeconds: target.Seconds(), RebuildStarted: c.StartedAt, Runs: len(c.Runs), Met: true}
	if c.StartedAt.IsZero() {
		return r
	}
	start, end := c.StartedAt, now
	if done := CompletedAt(c, p); !done.IsZero() {
		end = done
	}
	if end.Before(start) {
		end = start
	}
	spans := clockSpans(c, p, now, live)
	cuts := []time.Time{start, end}
	for _, s := range spans {
		cuts = append(cuts, s.from, s.to)
	}
	slices.SortFunc(cuts, func(a, b time.Time) int { return a.Compare(b) })
	var sums [spanRun + 2]time.Duration
	for i := 0; i+1 < len(cuts); i++ {
		a, b := cuts[i], cuts[i+1]
		if !a.Before(b) || a.Before(start) || b.After(end) {
			continue
		}
		kind := spanRun + 1 // idle
		mid := a.Add(b.Sub(a) / 2)
		for _, s := range spans {
			if s.kind < kind && !mid.Before(s.from) && mid.Before(s.to) {
				kind = s.kind
			}
		}
		sums[kind] += b.Sub(a)
	}
	r.ElapsedSeconds = end.Sub(start).Seconds()
	r.WorkingSeconds = (sums[spanWorking] + sums[spanRun]).Seconds()
	r.FailedSeconds = sums[spanFailed].Seconds()
	r.WaitingSeconds = sums[spanWaiting].Seconds()
	r.IdleSeconds = sums[spanRun+1].Seconds()
	r.Met = target == 0 || end.Sub(start) <= target
	return r
}

// clockSpans lists the runs, the attempts and the waits on people of a
// rebuild.
func clockSpans(c *checkpoint.Checkpoint, p *stages.Pipeline, now time.Time, live string) []span {
	runEnd := func(id string, from time.Time) time.Time {
		if id == live {
			return now
		}
		if i := c.RunIndex(id); i >= 0 && c.Runs[i].End().After(from) {
			return c.Runs[i].End()
		}
		return from
	}
	var out []span
	for _, r := range c.Runs {
		to := r.End()
		if r.FinishedAt == nil && r.RunID == live {
			to = now
		}
		out = append(out, span{r.StartedAt, to, spanRun})
	}
	for _, s := range p.Stages {
		rec := c.Lookup(s.Name)
		if rec == nil || s.Skipped {
			continue
		}
		var waitFrom time.Time
		for _, a := range rec.History {
			to := runEnd(a.RunID, a.StartedAt)
			if a.FinishedAt != nil {
				to = *a.FinishedAt
			}
			kind := spanWorking
			if a.Outcome == checkpoint.Failed || a.Outcome == checkpoint.Interrupted {
				kind = spanFailed
			}
			out = append(out, span{a.StartedAt, to, kind})
			if a.Outcome == checkpoint.Waited && waitFrom.IsZero() {
				waitFrom = to
			}
		}
		if s.Kind == stages.KindStep && !waitFrom.IsZero() {
			out = append(out, span{waitFrom, waitedUntil(rec, waitFrom, now), spanWaiting})
		}
	}
	return out
}

// waitedUntil is when a person released a step that began waiting at
// from: its confirmation, or the attempt that went past it; now while it
// still waits.
func waitedUntil(rec *checkpoint.StageRecord, from, now time.Time) time.Time {
	if rec.ConfirmedAt != nil && !rec.ConfirmedAt.Before(from) {
		return *rec.ConfirmedAt
	}
	for _, a := range rec.History {
		if a.Outcome == checkpoint.Applied && !a.StartedAt.Before(from) {
			return a.StartedAt
		}
	}
	return now
}

// CompletedAt is when the last stage of a complete rebuild finished; zero
// while it is not complete.
func CompletedAt(c *checkpoint.Checkpoint, p *stages.Pipeline) time.Time {
	if c.StartedAt.IsZero() || !c.Complete(p) {
		return time.Time{}
	}
	var last time.Time
	for _, s := range p.Stages {
		rec := c.Lookup(s.Name)
		if rec == nil || s.Skipped {
			continue
		}
		if rec.FinishedAt != nil && rec.FinishedAt.After(last) {
			last = *rec.FinishedAt
		}
		for _, a := range rec.History {
			if a.FinishedAt != nil && a.FinishedAt.After(last) {
				last = *a.FinishedAt
			}
		}
	}
	return last
}
