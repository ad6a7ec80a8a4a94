package terraform

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestJSONUIParsesProgress(t *testing.T) {
	t.Parallel()
	stream := `{"@level":"info","@message":"Terraform 1.11.4","type":"version","terraform":"1.11.4"}
{"@level":"info","@message":"a.b: Plan to create","type":"planned_change","change":{"resource":{"addr":"a.b"},"action":"create"}}
{"@level":"info","@message":"a.c: Plan to replace","type":"planned_change","change":{"resource":{"addr":"a.c"},"action":"replace"}}
{"@level":"info","@message":"Plan: 2 to add, 0 to change, 1 to destroy.","type":"change_summary","changes":{"add":2,"change":0,"remove":1,"operation":"plan"}}
{"@level":"info","@message":"a.b: Creating...","type":"apply_start","hook":{"resource":{"addr":"a.b"},"action":"create"}}
{"@level":"info","@message":"a.b: Creation complete after 2s","type":"apply_complete","hook":{"resource":{"addr":"a.b"},"action":"create","elapsed_seconds":2}}
{"@level":"info","@message":"a.c: Creating...","type":"apply_start","hook":{"resource":{"addr":"a.c"},"action":"create"}}
{"@level":"error","@message":"a.c: Creation errored after 1s","type":"apply_errored","hook":{"resource":{"addr":"a.c"},"action":"create","elapsed_seconds":1}}
{"@level":"error","@message":"Error: boom","type":"diagnostic","diagnostic":{"severity":"error","summary":"boom","detail":"it broke\nbadly","address":"a.c","range":{"filename":"main.tf","start":{"line":3,"column":1}}}}
{"@level":"info","@message":"Outputs: 1","type":"outputs","outputs":{"k":{"sensitive":false,"type":"string","value":"visible-value"}}}
not json`
	var log strings.Builder
	var got []string
	ui := newJSONUI(&log, "blue", func(ev ResourceEvent) {
		got = append(got, ev.Stack+" "+ev.Phase+" "+ev.Address+" "+ev.Action+" "+strconv.Itoa(ev.Done)+"/"+strconv.Itoa(ev.Total))
	})
	// Written in pieces that split lines, as a pipe delivers them.
	for i := 0; i < len(stream); i += 37 {
		_, _ = ui.Write([]byte(stream[i:min(i+37, len(stream))]))
	}
	ui.flush()
	want := []string{
		"blue planned a.b create 0/1", "blue planned a.c replace 0/2", "blue summary   0/2",
		"blue started a.b create 0/2", "blue complete a.b create 1/2", "blue started a.c create 1/2", "blue errored a.c create 2/2",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	text := log.String()
	for _, w := range []string{"a.b: Creation complete after 2s", "│ Error: boom", "│   with a.c", "│ badly", "not json"} {
		if !strings.Contains(text, w) {
			t.Errorf("log lacks %q:\n%s", w, text)
		}
	}
	if strings.Contains(text, "visible-value") {
		t.Errorf("output values stay out of the log:\n%s", text)
	}
}

// Apply reports each resource's progress against the plan's total, and a
// failed apply reports the resource that errored; the error still quotes
// Terraform's own error lines.
func TestApplyReportsResourceProgress(t *testing.T) {
	t.Parallel()
	b := newBed(t, nil)
	ctx := context.Background()
	var mu sync.Mutex
	var events []ResourceEvent
	s := b.stack("blue", nil)
	s.Progress = func(ev ResourceEvent) { mu.Lock(); events = append(events, ev); mu.Unlock() }
	if _, err := b.runner.Apply(ctx, s); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	last := events[len(events)-1]
	planned, completed := 0, map[string]bool{}
	for _, ev := range events {
		if ev.Stack != "blue" {
			t.Errorf("event for %q", ev.Stack)
		}
		switch ev.Phase {
		case PhasePlanned:
			planned++
		case PhaseComplete:
			completed[ev.Address] = true
		}
	}
	mu.Unlock()
	if planned != 3 || len(completed) != 3 || !completed["terraform_data.items[1]"] || last.Done != 3 || last.Total != 3 {
		t.Errorf("planned %d, completed %v, last %+v; want 3 resources done of 3", planned, completed, last)
	}

	mu.Lock()
	events = nil
	mu.Unlock()
	s = b.stack("blue", map[string]cty.Value{"fail": cty.True})
	s.Progress = func(ev ResourceEvent) { mu.Lock(); events = append(events, ev); mu.Unlock() }
	_, err := b.runner.Apply(ctx, s)
	var se *StackError
	if !errors.As(err, &se) || !strings.Contains(strings.Join(se.Lines, "\n"), "simulated provisioning failure") {
		t.Fatalf("the error quotes Terraform's error lines: %v", err)
	}
	errored := false
	mu.Lock()
	for _, ev := range events {
		errored = errored || (ev.Phase == PhaseErrored && ev.Address == "terraform_data.app")
	}
	mu.Unlock()
	if !errored {
		t.Errorf("no errored event for terraform_data.app: %+v", events)
	}
	if data, _ := os.ReadFile(se.LogPath); !strings.Contains(string(data), "terraform_data.app: Creating...") {
		t.Errorf("the log holds Terraform's human lines:\n%s", data)
	}
}

// The outputs message that ends an apply gives the stack's outputs, typed
// as in the state; its plan-time form (actions), an empty one, or one
// with a sensitive output (whose value is never printed) gives none, and
// the caller reads the state.
func TestJSONUIKeepsTheAppliedOutputs(t *testing.T) {
	t.Parallel()
	read := func(lines ...string) (*Outputs, error) {
		ui := newJSONUI(&strings.Builder{}, "blue", nil)
		for _, l := range lines {
			_, _ = ui.Write([]byte(l + "\n"))
		}
		return ui.appliedOutputs()
	}
	plan := `{"type":"outputs","outputs":{"url":{"sensitive":false,"action":"noop"}}}`
	applied := `{"type":"outputs","outputs":{"url":{"sensitive":false,"type":"string","value":"http://x"},"ids":{"sensitive":false,"type":["list","number"],"value":[1,2]}}}`
	outs, err := read(plan, applied)
	if err != nil || outs == nil {
		t.Fatalf("the applied outputs: %v %v", outs, err)
	}
	if v := outs.Values["url"]; !v.RawEquals(cty.StringVal("http://x")) {
		t.Errorf("url = %#v", v)
	}
	if v := outs.Values["ids"]; !v.RawEquals(cty.ListVal([]cty.Value{cty.NumberIntVal(1), cty.NumberIntVal(2)})) {
		t.Errorf("ids = %#v", v)
	}
	for name, lines := range map[string][]string{
		"plan-time only": {plan},
		"empty":          {plan, `{"type":"outputs","outputs":{}}`},
		"a sensitive one": {plan, `{"type":"outputs","outputs":{"url":{"sensitive":false,"type":"string","value":"http://x"},` +
			`"key":{"sensitive":true,"type":"string"}}}`},
	} {
		if outs, err := read(lines...); outs != nil || err != nil {
			t.Errorf("%s: %v %v, want none", name, outs, err)
		}
	}
}
