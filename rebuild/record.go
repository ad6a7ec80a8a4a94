package rebuild

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/internal/cmdline"
	"github.com/tfrebuild/tfrebuild/stages"
)

// saveTimeout bounds a checkpoint save on the event path: a store that
// hangs must not hold the run (and every other stage's event) with it.
const saveTimeout = 30 * time.Second

// runAttempts is what record keeps about the attempts of this run: each
// stage's record as it was before its attempt began (to put back when the
// attempt finds it up to date) and the stacks Terraform applied.
type runAttempts struct {
	before  map[string]checkpoint.StageRecord
	applied map[string]bool
}

func newRunAttempts() runAttempts {
	return runAttempts{before: map[string]checkpoint.StageRecord{}, applied: map[string]bool{}}
}

// recorded is what record tells emitStage about a status change.
type recorded struct {
	elapsed time.Duration
	attempt int
	outcome events.Outcome
	changes []events.Change // what a stack's apply changed (done)
}

// record keeps the in-memory checkpoint in step with the runner's events.
// An attempt goes into the stage's history; the record's times are those
// of the attempt that did the work, so an attempt that finds the stage up
// to date puts the record back as it was. The runner calls it from one
// goroutine at a time.
func (c *core) record(e stages.Event) recorded {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.kept[e.Stage] {
		// Out of this run's scope (--only): its record stays as it was.
		return recorded{outcome: events.Outcome(e.Status)}
	}
	rec := c.ckpt.Stage(e.Stage)
	t := e.Time.UTC()
	c.seen(t)
	r := recorded{outcome: events.Outcome(e.Status)}
	switch e.Status {
	case stages.Running:
		c.attempts.before[e.Stage] = *rec
		delete(c.attempts.applied, e.Stage)
		// Notes and findings belong to the attempt that made them.
		rec.Status, rec.StartedAt, rec.FinishedAt, rec.Error = stages.Running, &t, nil, ""
		rec.Notes, rec.Findings, rec.Changes = nil, nil, nil
		rec.Attempts++
		rec.History = append(rec.History, checkpoint.Attempt{RunID: c.runID, StartedAt: t})
		r.attempt = rec.Attempts
	case stages.Blocked:
		// Blocked this time, but what an earlier run built is still built:
		// a done stage stays done for the next resume to judge.
		if rec.Status == stages.Done {
			return r
		}
		rec.Status, rec.FinishedAt = stages.Blocked, nil
	case stages.Skipped:
		rec.Status, rec.FinishedAt = stages.Skipped, nil
	default:
		r.attempt = rec.Attempts
		outcome := attemptOutcome(e.Status)
		if e.Status == stages.Done && c.wasUpToDate(e.Stage) {
			prev := c.attempts.before[e.Stage]
			rec.Status, rec.StartedAt, rec.FinishedAt = stages.Done, prev.StartedAt, prev.FinishedAt
			outcome, r.outcome = checkpoint.UpToDate, events.OutcomeSkipped
		} else {
			rec.Status, rec.FinishedAt = e.Status, &t
			if rec.StartedAt != nil {
				r.elapsed = t.Sub(*rec.StartedAt)
			}
			for _, ch := range rec.Changes {
				r.changes = append(r.changes, events.Change{Address: ch.Address, Action: ch.Action, Repaired: ch.Repaired})
			}
		}
		if a := rec.LastAttempt(); a != nil && a.FinishedAt == nil {
			a.FinishedAt, a.Outcome = &t, outcome
			if e.Err != nil {
				a.Error = e.Err.Error()
			}
		}
	}
	if e.Err != nil {
		rec.Error = e.Err.Error()
	}
	c.ckpt.UpdatedAt = c.now().UTC()
	return r
}

func attemptOutcome(s stages.Status) checkpoint.AttemptOutcome {
	switch s {
	case stages.Done:
		return checkpoint.Applied
	case stages.Waiting:
		return checkpoint.Waited
	case stages.Interrupted:
		return checkpoint.Interrupted
	}
	return checkpoint.Failed
}

// wasUpToDate reports whether the attempt that just finished left a done
// stage as it was: a stack that ran no terraform apply, or a manual step
// that was already done. Other kinds do their work every time (preflight,
// the bootstrap's checks, a check's polling). The caller holds c.mu.
func (c *core) wasUpToDate(stage string) bool {
	if c.attempts.before[stage].Status != stages.Done {
		return false
	}
	s := c.pipeline.Get(stage)
	switch {
	case s == nil:
		return false
	case s.Kind == stages.KindStack:
		return !c.attempts.applied[stage]
	case s.Kind == stages.KindStep:
		return true
	}
	return false
}

// applying tells record that Terraform applies a stack in its running
// attempt (see seam.go).
func (c *core) applying(stage string) {
	c.mu.Lock()
	c.attempts.applied[stage] = true
	c.mu.Unlock()
}

// emitStage turns a runner event into stage_started or stage_finished;
// a waiting step is announced first with a waiting event that carries its
// instructions and the command that releases it.
func (c *core) emitStage(e stages.Event, r recorded) {
	t := e.Time.UTC()
	if e.Status == stages.Running {
		c.bus.Emit(events.Event{Type: events.StageStarted, Stage: e.Stage, Time: t, Attempt: r.attempt})
		return
	}
	if e.Status == stages.Waiting {
		w := events.Event{Type: events.Waiting, Stage: e.Stage, Time: t, Confirm: ConfirmCommand(c.cfg.Filename, stageTarget(e.Stage))}
		if st := findStep(c.cfg, stageTarget(e.Stage)); st != nil {
			w.Message = st.Instructions
		}
		c.bus.Emit(w)
	}
	ev := events.Event{Type: events.StageFinished, Stage: e.Stage, Time: t, Outcome: r.outcome, Duration: r.elapsed, Attempt: r.attempt,
		Changes: r.changes}
	if e.Err != nil {
		ev.Error = e.Err.Error()
	}
	c.bus.Emit(ev)
}

// ConfirmCommand is the command that releases a waiting step.
func ConfirmCommand(configFile, step string) string {
	return cmdline.Tfrebuild("confirm", configFile, []string{step})
}

// stageTarget is the name in a stage's name: handoff in step.handoff.
func stageTarget(stage string) string {
	_, name, _ := strings.Cut(stage, ".")
	return name
}

// saveTo writes a checkpoint to a store with a bounded wait.
func (c *core) saveTo(store checkpoint.Store, ck *checkpoint.Checkpoint, stage string) {
	ctx, cancel := context.WithTimeout(context.Background(), c.saveTimeout)
	defer cancel()
	if err := store.Save(ctx, ck); err != nil {
		c.saveFailed(stage, err)
	}
}

func (c *core) saveFailed(stage string, err error) {
	c.bus.Emit(events.Event{Type: events.StageNote, Stage: stage, Message: "could not save the checkpoint: " + err.Error()})
}

// note records something a stage found or did, and reports it.
func (c *core) note(stage, msg string) {
	c.mu.Lock()
	rec := c.ckpt.Stage(stage)
	rec.Notes = append(rec.Notes, msg)
	c.mu.Unlock()
	c.bus.Emit(events.Event{Type: events.StageNote, Stage: stage, Message: msg})
}

// find records a finding (drift, ...) of a stage and reports it as a note.
func (c *core) find(stage string, f checkpoint.Finding, msg string) {
	c.mu.Lock()
	rec := c.ckpt.Stage(stage)
	rec.Findings = append(rec.Findings, f)
	c.mu.Unlock()
	c.note(stage, msg)
}

// clearNotes forgets what a stage noted and found on its last attempt.
func (c *core) clearNotes(stage string) {
	c.mu.Lock()
	rec := c.ckpt.Stage(stage)
	rec.Notes, rec.Findings = nil, nil
	c.mu.Unlock()
}

func ctxErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
