package rebuild

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/stages"
)

// saveTimeout bounds a checkpoint save on the event path: a store that
// hangs must not hold the run (and every other stage's event) with it.
const saveTimeout = 30 * time.Second

// record keeps the in-memory checkpoint in step with the runner's events
// and returns how long a finished stage took. The runner calls it from one
// goroutine at a time.
func (c *core) record(e stages.Event) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.kept[e.Stage] {
		return 0
	}
	rec := c.ckpt.Stage(e.Stage)
	t := e.Time.UTC()
	rec.Status = e.Status
	var elapsed time.Duration
	switch e.Status {
	case stages.Running:
		rec.StartedAt, rec.FinishedAt, rec.Error = &t, nil, ""
		rec.Attempts++
	case stages.Skipped, stages.Blocked:
		rec.FinishedAt = nil
	default:
		rec.FinishedAt = &t
		if rec.StartedAt != nil {
			elapsed = t.Sub(*rec.StartedAt)
		}
	}
	if e.Err != nil {
		rec.Error = e.Err.Error()
	}
	c.ckpt.UpdatedAt = time.Now().UTC()
	return elapsed
}

// emitStage turns a runner event into stage_started or stage_finished,
// and a waiting step into a waiting event naming the command that
// releases it.
func (c *core) emitStage(e stages.Event, elapsed time.Duration) {
	t := e.Time.UTC()
	ev := events.Event{Stage: e.Stage, Time: t, Type: events.StageFinished, Outcome: events.Outcome(e.Status), Duration: elapsed}
	if e.Status == stages.Running {
		ev = events.Event{Type: events.StageStarted, Stage: e.Stage, Time: t}
	}
	if e.Err != nil {
		ev.Error = e.Err.Error()
	}
	c.bus.Emit(ev)
	if e.Status == stages.Waiting {
		c.bus.Emit(events.Event{Type: events.Waiting, Stage: e.Stage, Time: t,
			Confirm: ConfirmCommand(c.cfg.Filename, stageTarget(e.Stage))})
	}
}

// ConfirmCommand is the command that releases a waiting step.
func ConfirmCommand(configFile, step string) string {
	return "tfrebuild confirm " + step + " --config " + configFile
}

// stageTarget is the name in a stage's name: handoff in step.handoff.
func stageTarget(stage string) string {
	_, name, _ := strings.Cut(stage, ".")
	return name
}

// save writes the checkpoint to a store with a bounded wait; a failure is
// reported as a note, and the run goes on.
func (c *core) save(store checkpoint.Store, stage string) {
	ctx, cancel := context.WithTimeout(context.Background(), c.saveTimeout)
	defer cancel()
	c.mu.Lock()
	err := store.Save(ctx, c.ckpt)
	c.mu.Unlock()
	if err != nil {
		c.bus.Emit(events.Event{Type: events.StageNote, Stage: stage, Message: "could not save the checkpoint: " + err.Error()})
	}
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
