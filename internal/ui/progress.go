package ui

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/stages"
)

// Progress is an events.Sink that reports a run to a person or a machine.
// On a terminal it keeps a live line of the running stages with their
// elapsed time; elsewhere it prints plain timestamped lines; in JSON mode
// one object per stage change or note.
type Progress struct {
	w       io.Writer
	json    bool
	tty     bool
	now     func() time.Time
	mu      sync.Mutex
	running map[string]time.Time
	live    bool // a live line is on screen
	stop    chan struct{}
}

var _ events.Sink = (*Progress)(nil)

// NewProgress writes to w; tty enables the live line, jsonMode the JSON
// lines.
func NewProgress(w io.Writer, tty, jsonMode bool) *Progress {
	p := &Progress{w: w, tty: tty && !jsonMode, json: jsonMode, now: time.Now, running: map[string]time.Time{}, stop: make(chan struct{})}
	if p.tty {
		go p.tick()
	}
	return p
}

// Close stops the live line.
func (p *Progress) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.stop:
	default:
		close(p.stop)
	}
	p.clearLive()
}

func (p *Progress) tick() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.mu.Lock()
			p.drawLive()
			p.mu.Unlock()
		}
	}
}

func (p *Progress) drawLive() {
	if len(p.running) == 0 {
		p.clearLive()
		return
	}
	names := slices.Sorted(maps.Keys(p.running))
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s %s", n, p.now().Sub(p.running[n]).Truncate(time.Second))
	}
	fmt.Fprintf(p.w, "\r\033[K⏳ %s", strings.Join(parts, " · "))
	p.live = true
}

func (p *Progress) clearLive() {
	if p.live {
		fmt.Fprint(p.w, "\r\033[K")
		p.live = false
	}
}

// Emit reports stage changes and notes; the other events (run_started,
// waiting, ...) are for other subscribers: the note and the stage's
// waiting line already say it.
func (p *Progress) Emit(e events.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch e.Type {
	case events.StageStarted:
		p.running[e.Stage] = e.Time
		p.stage(e, stages.Running)
	case events.StageFinished:
		delete(p.running, e.Stage)
		p.stage(e, stages.Status(e.Outcome))
	case events.StageNote:
		p.note(e)
	}
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
	p.clearLive()
	fmt.Fprintf(p.w, "%s  %-16s %s\n", t.Local().Format("15:04:05"), stage, msg)
	if p.tty {
		p.drawLive()
	}
}

func (p *Progress) writeJSON(v any) {
	b, _ := json.Marshal(v)
	fmt.Fprintf(p.w, "%s\n", b)
}
