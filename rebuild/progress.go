package rebuild

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tfrebuild/tfrebuild/stages"
)

// Progress reports stage events to a person or a machine. On a terminal
// it keeps a live line of the running stages with their elapsed time;
// elsewhere it prints plain timestamped lines; in JSON mode one event
// object per line.
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

// NewProgress writes to w; tty enables the live line, jsonMode the event
// stream.
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
	names := make([]string, 0, len(p.running))
	for n := range p.running {
		names = append(names, n)
	}
	sort.Strings(names)
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

// Event reports a stage status change.
func (p *Progress) Event(e stages.Event, elapsed time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch e.Status {
	case stages.Running:
		p.running[e.Stage] = e.Time
	default:
		delete(p.running, e.Stage)
	}
	if p.json {
		ev := map[string]any{"type": "stage", "time": e.Time.UTC().Format(time.RFC3339Nano), "stage": e.Stage, "status": e.Status}
		if elapsed > 0 {
			ev["seconds"] = elapsed.Seconds()
		}
		if e.Err != nil {
			ev["error"] = e.Err.Error()
		}
		p.writeJSON(ev)
		return
	}
	msg := string(e.Status)
	if elapsed > 0 {
		msg += " in " + elapsed.Round(100*time.Millisecond).String()
	}
	if e.Err != nil && e.Status != stages.Failed {
		msg += " (" + e.Err.Error() + ")"
	}
	p.line(e.Time, e.Stage, msg)
}

// Note reports something a stage found or did.
func (p *Progress) Note(stage, msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.json {
		p.writeJSON(map[string]any{"type": "note", "time": p.now().UTC().Format(time.RFC3339Nano), "stage": stage, "message": msg})
		return
	}
	p.line(p.now(), stage, msg)
}

func (p *Progress) line(t time.Time, stage, msg string) {
	p.clearLive()
	fmt.Fprintf(p.w, "%s  %-16s %s\n", t.Format("15:04:05"), stage, msg)
	if p.tty {
		p.drawLive()
	}
}

func (p *Progress) writeJSON(v any) {
	b, _ := json.Marshal(v)
	fmt.Fprintf(p.w, "%s\n", b)
}
