package ui

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/stages"
)

// Progress is an events.Sink that reports a run to a person or a machine.
// On a terminal it keeps one live line per running stage, redrawn in
// place, with its elapsed time and, for a stack, Terraform's progress
// ("stack.blue  applying 4/6  1m12s"). Elsewhere (a pipe, a CI log) it
// prints plain timestamped lines, and a "still running" line every
// Heartbeat while a stage runs, so that a CI system that kills silent
// jobs does not. In JSON mode it prints one object per stage change or
// note.
type Progress struct {
	// Heartbeat is how often plain output says what is still running;
	// set it before the run starts. Zero means DefaultHeartbeat.
	Heartbeat time.Duration

	w       io.Writer
	json    bool
	tty     bool
	now     func() time.Time
	mu      sync.Mutex
	running map[string]*runningStage
	lines   int // live lines on screen
	started bool
	stop    chan struct{}
	done    chan struct{}
}

// runningStage is a stage on the live display.
type runningStage struct {
	since    time.Time
	resource *events.Resource
}

// DefaultHeartbeat keeps a CI log from going silent for long: many CI
// systems kill a job after 10 minutes without output.
const DefaultHeartbeat = time.Minute

var _ events.Sink = (*Progress)(nil)

// NewProgress writes to w; tty enables the live lines, jsonMode the JSON
// lines.
func NewProgress(w io.Writer, tty, jsonMode bool) *Progress {
	return &Progress{w: w, tty: tty && !jsonMode, json: jsonMode, now: time.Now,
		running: map[string]*runningStage{}, stop: make(chan struct{}), done: make(chan struct{})}
}

// Close stops the live lines and the heartbeat.
func (p *Progress) Close() {
	p.mu.Lock()
	started := p.started
	select {
	case <-p.stop:
	default:
		close(p.stop)
	}
	p.clearLive()
	p.mu.Unlock()
	if started {
		<-p.done
	}
}

// startTicker starts the redraw (terminal) or heartbeat (plain) ticker at
// the first stage, so that Heartbeat may be set after NewProgress. The
// caller holds p.mu.
func (p *Progress) startTicker() {
	if p.started || p.json {
		return
	}
	p.started = true
	every := p.Heartbeat
	if every <= 0 {
		every = DefaultHeartbeat
	}
	if p.tty {
		every = time.Second
	}
	go func() {
		defer close(p.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.mu.Lock()
				if p.tty {
					p.drawLive()
				} else {
					p.heartbeat()
				}
				p.mu.Unlock()
			}
		}
	}()
}

// heartbeat prints one line per running stage with how long it has run.
func (p *Progress) heartbeat() {
	for _, n := range slices.Sorted(maps.Keys(p.running)) {
		p.line(p.now(), n, "still running "+p.stageText(n))
	}
}

// stageText is "applying 4/6 for 1m12s" or "for 1m12s".
func (p *Progress) stageText(name string) string {
	r := p.running[name]
	text := "for " + p.now().Sub(r.since).Truncate(time.Second).String()
	if r.resource != nil && r.resource.Total > 0 {
		text = fmt.Sprintf("applying %d/%d %s", r.resource.Done, r.resource.Total, text)
	}
	return text
}

func (p *Progress) drawLive() {
	p.clearLive()
	for _, n := range slices.Sorted(maps.Keys(p.running)) {
		r := p.running[n]
		took := p.now().Sub(r.since).Truncate(time.Second)
		if r.resource != nil && r.resource.Total > 0 {
			fmt.Fprintf(p.w, "⏳ %-16s applying %d/%d  %s\n", n, r.resource.Done, r.resource.Total, took)
		} else {
			fmt.Fprintf(p.w, "⏳ %-16s %s\n", n, took)
		}
		p.lines++
	}
}

func (p *Progress) clearLive() {
	if p.lines > 0 {
		// Up to the first live line, then clear to the end of the screen.
		fmt.Fprintf(p.w, "\033[%dA\r\033[J", p.lines)
		p.lines = 0
	}
}

// Emit reports the run's phase (run_started's message: new rebuild or
// resume), stage changes, notes and Terraform's resource progress; the
// other events (waiting, ...) are for other subscribers:
// the step's note and its waiting line already say it.
func (p *Progress) Emit(e events.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch e.Type {
	case events.RunStarted:
		if e.Message != "" {
			p.note(events.Event{Time: e.Time, Stage: "run", Message: e.Message})
		}
	case events.StageStarted:
		p.running[e.Stage] = &runningStage{since: e.Time}
		p.startTicker()
		p.stage(e, stages.Running)
	case events.StageFinished:
		delete(p.running, e.Stage)
		p.stage(e, stages.Status(e.Outcome))
	case events.StageNote:
		p.note(e)
	case events.ResourceProgress:
		p.resource(e)
	}
}

func (p *Progress) resource(e events.Event) {
	if e.Resource == nil {
		return
	}
	if r := p.running[e.Stage]; r != nil {
		r.resource = e.Resource
	}
	if p.json || p.tty || e.Resource.Phase == "start" {
		// The live line shows it on a terminal; JSON mode keeps its
		// contract of stage changes and notes.
		return
	}
	msg := fmt.Sprintf("%s: %s %s", e.Resource.Address, e.Resource.Action, e.Resource.Phase)
	if e.Resource.Total > 0 {
		msg += fmt.Sprintf(" (%d/%d)", e.Resource.Done, e.Resource.Total)
	}
	p.line(e.Time, e.Stage, msg)
}

func (p *Progress) stage(e events.Event, st stages.Status) {
	if p.json {
		ev := map[string]any{"type": "stage", "time": e.Time.UTC().Format(time.RFC3339Nano), "stage": e.Stage, "status": st}
		if e.Duration > 0 {
			ev["seconds"] = e.Duration.Seconds()
		}
		if e.Error != "" {
			ev["error"] = e.Error
		}
		p.writeJSON(ev)
		return
	}
	msg := string(st)
	if st == stages.Skipped && e.Attempt > 0 {
		msg = "skipped: up to date"
	}
	if e.Duration > 0 {
		msg += " in " + e.Duration.Round(100*time.Millisecond).String()
	}
	if e.Error != "" && st != stages.Failed {
		msg += " (" + e.Error + ")"
	}
	p.line(e.Time, e.Stage, msg)
}

func (p *Progress) note(e events.Event) {
	t := e.Time
	if t.IsZero() {
		t = p.now()
	}
	if p.json {
		p.writeJSON(map[string]any{"type": "note", "time": t.UTC().Format(time.RFC3339Nano), "stage": e.Stage, "message": e.Message})
		return
	}
	p.line(t, e.Stage, e.Message)
}

func (p *Progress) line(t time.Time, stage, msg string) {
	live := p.lines > 0
	p.clearLive()
	fmt.Fprintf(p.w, "%s  %-16s %s\n", t.Local().Format("15:04:05"), stage, msg)
	if p.tty && (live || len(p.running) > 0) {
		p.drawLive()
	}
}

func (p *Progress) writeJSON(v any) {
	b, _ := json.Marshal(v)
	fmt.Fprintf(p.w, "%s\n", b)
}
