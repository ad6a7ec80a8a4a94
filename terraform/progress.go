package terraform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// ResourceEvent is one step of Terraform's work on one resource, taken
// from its machine-readable UI (plan -json, apply -json). It carries no
// values: addresses, actions and counts only.
type ResourceEvent struct {
	Stack   string
	Address string // terraform_data.app, module.m.x.y["k"]; empty for a summary
	Action  string // create, update, delete, replace, read, noop
	// Phase is planned (the plan will change it), started, progress (still
	// running), complete, errored, or summary (the plan's totals).
	Phase   string
	Done    int // resources finished so far in this apply
	Total   int // resources the plan changes
	Elapsed time.Duration
}

// Phases of a ResourceEvent.
const (
	PhasePlanned  = "planned"
	PhaseStarted  = "started"
	PhaseProgress = "progress"
	PhaseComplete = "complete"
	PhaseErrored  = "errored"
	PhaseSummary  = "summary"
)

// uiMessage is the part of a JSON UI line tfrebuild reads.
type uiMessage struct {
	Level   string `json:"@level"`
	Message string `json:"@message"`
	Type    string `json:"type"`
	Change  *struct {
		Resource struct {
			Addr string `json:"addr"`
		} `json:"resource"`
		Action string `json:"action"`
	} `json:"change"`
	Hook *struct {
		Resource struct {
			Addr string `json:"addr"`
		} `json:"resource"`
		Action  string  `json:"action"`
		Elapsed float64 `json:"elapsed_seconds"`
	} `json:"hook"`
	Changes *struct {
		Add, Change, Remove, Import int
		Operation                   string
	} `json:"changes"`
	// Outputs holds each output's planned action (values are not read).
	Outputs map[string]struct {
		Action string `json:"action"`
	} `json:"outputs"`
	Diagnostic *struct {
		Severity string `json:"severity"`
		Summary  string `json:"summary"`
		Detail   string `json:"detail"`
		Address  string `json:"address"`
		Range    *struct {
			Filename string `json:"filename"`
			Start    struct {
				Line, Column int
			} `json:"start"`
		} `json:"range"`
	} `json:"diagnostic"`
}

// jsonUI reads Terraform's JSON UI stream: it writes each message's human
// line into the log (diagnostics as the Error: blocks the error messages
// quote) and reports resource progress. One per command sequence, so that
// apply counts against the plan's total.
type jsonUI struct {
	mu      sync.Mutex
	log     io.Writer
	stack   string
	emit    func(ResourceEvent)
	buf     []byte
	planned map[string]bool // addresses the plan changes
	done    map[string]bool
	// changes is set when the plan phase's summary says it changes a
	// resource or an output (apply -auto-approve plans and applies in one
	// stream).
	changes bool
	// applied is the apply's closing outputs message: each output's
	// type and, unless sensitive, its value (appliedOutputs).
	applied map[string]appliedOutput
}

// appliedOutput is one output in the outputs message that ends an apply.
// Its plan-time form has an action instead of a type.
type appliedOutput struct {
	Sensitive bool            `json:"sensitive"`
	Type      json.RawMessage `json:"type"`
	Value     json.RawMessage `json:"value"`
	Action    string          `json:"action"`
}

// planChanges reports whether the stream's plan changes anything.
func (u *jsonUI) planChanges() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.changes
}

func newJSONUI(log io.Writer, stack string, emit func(ResourceEvent)) *jsonUI {
	return &jsonUI{log: log, stack: stack, emit: emit, planned: map[string]bool{}, done: map[string]bool{}}
}

func (u *jsonUI) Write(p []byte) (int, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.buf = append(u.buf, p...)
	for {
		i := bytes.IndexByte(u.buf, '\n')
		if i < 0 {
			break
		}
		u.line(u.buf[:i])
		u.buf = u.buf[i+1:]
	}
	return len(p), nil
}

// flush handles a last line without a newline.
func (u *jsonUI) flush() {
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(bytes.TrimSpace(u.buf)) > 0 {
		u.line(u.buf)
	}
	u.buf = nil
}

func (u *jsonUI) line(raw []byte) {
	var m uiMessage
	if err := json.Unmarshal(raw, &m); err != nil || m.Type == "" {
		fmt.Fprintf(u.log, "%s\n", raw) // not JSON: keep it as it came
		return
	}
	switch m.Type {
	case "diagnostic":
		u.diagnostic(&m)
		return
	case "outputs", "version":
		// outputs carries non-sensitive values; nothing the log needs. Its
		// plan-time form carries each output's action instead.
		for _, o := range m.Outputs {
			if o.Action != "" && o.Action != "noop" {
				u.changes = true
			}
		}
		u.keepApplied(raw)
		return
	}
	fmt.Fprintln(u.log, m.Message)
	switch {
	case m.Type == "planned_change" && m.Change != nil:
		// apply of a saved plan announces the plan's changes again.
		if m.Change.Action == "noop" || m.Change.Action == "read" || u.planned[m.Change.Resource.Addr] {
			return
		}
		u.planned[m.Change.Resource.Addr] = true
		u.send(ResourceEvent{Address: m.Change.Resource.Addr, Action: m.Change.Action, Phase: PhasePlanned})
	case m.Type == "change_summary" && m.Changes != nil:
		if c := m.Changes; c.Operation != "apply" && c.Add+c.Change+c.Remove+c.Import > 0 {
			u.changes = true
		}
		u.send(ResourceEvent{Phase: PhaseSummary})
	case m.Hook != nil && strings.HasPrefix(m.Type, "apply_"):
		phase := map[string]string{"apply_start": PhaseStarted, "apply_progress": PhaseProgress, "apply_complete": PhaseComplete, "apply_errored": PhaseErrored}[m.Type]
		if phase == "" {
			return
		}
		addr := m.Hook.Resource.Addr
		if phase == PhaseComplete || phase == PhaseErrored {
			u.done[addr] = true
		}
		u.send(ResourceEvent{Address: addr, Action: m.Hook.Action, Phase: phase, Elapsed: time.Duration(m.Hook.Elapsed * float64(time.Second))})
	}
}

func (u *jsonUI) send(ev ResourceEvent) {
	if u.emit == nil {
		return
	}
	ev.Stack = u.stack
	ev.Total = len(u.planned)
	for a := range u.done {
		if u.planned[a] {
			ev.Done++
		}
	}
	u.emit(ev)
}

// diagnostic writes a diagnostic as Terraform's human UI would, so that
// errorLines finds it: "Error: summary", where, then the detail.
func (u *jsonUI) diagnostic(m *uiMessage) {
	d := m.Diagnostic
	if d == nil {
		fmt.Fprintln(u.log, m.Message)
		return
	}
	title := "Warning"
	if d.Severity == "error" {
		title = "Error"
	}
	fmt.Fprintf(u.log, "│ %s: %s\n", title, d.Summary)
	if d.Range != nil {
		fmt.Fprintf(u.log, "│   on %s line %d\n", d.Range.Filename, d.Range.Start.Line)
	}
	if d.Address != "" {
		fmt.Fprintf(u.log, "│   with %s\n", d.Address)
	}
	for _, l := range strings.Split(strings.TrimSpace(d.Detail), "\n") {
		fmt.Fprintf(u.log, "│ %s\n", l)
	}
	fmt.Fprintln(u.log, "╵")
}

// keepApplied keeps an outputs message when it is the apply's closing
// one: every output in it has a type and none an action.
func (u *jsonUI) keepApplied(raw []byte) {
	var m struct {
		Outputs map[string]appliedOutput `json:"outputs"`
	}
	if json.Unmarshal(raw, &m) != nil || len(m.Outputs) == 0 {
		return
	}
	for _, o := range m.Outputs {
		if o.Action != "" || len(o.Type) == 0 {
			return
		}
	}
	u.applied = m.Outputs
}

// appliedOutputs are the outputs the apply ended with, when its stream
// told them all: nil when it did not, or when one is sensitive (its value
// is not in the stream; the caller reads the state for it).
func (u *jsonUI) appliedOutputs() (*Outputs, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.applied == nil {
		return nil, nil
	}
	type stateOutput struct {
		Value json.RawMessage `json:"value"`
		Type  json.RawMessage `json:"type"`
	}
	state := struct {
		Version int                    `json:"version"`
		Outputs map[string]stateOutput `json:"outputs"`
	}{Version: 4, Outputs: map[string]stateOutput{}}
	for name, o := range u.applied {
		if o.Sensitive || len(o.Value) == 0 {
			return nil, nil
		}
		state.Outputs[name] = stateOutput{Value: o.Value, Type: o.Type}
	}
	body, err := json.Marshal(state)
	if err != nil {
		return nil, err
	}
	outs, err := OutputsFromState(body)
	if err != nil {
		return nil, fmt.Errorf("the outputs the apply printed: %w", err)
	}
	return &outs, nil
}
