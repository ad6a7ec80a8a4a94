package terraform

import (
	"maps"
	"slices"
	"strings"
	"sync"
)

// ChangeLog collects what an apply of a stack did to each resource, from
// the engine's progress: the action the plan gave it, once it completed.
type ChangeLog struct {
	mu     sync.Mutex
	action map[string]string // address → create, update, delete, replace
	done   map[string]bool
}

// NewChangeLog is an empty log.
func NewChangeLog() *ChangeLog {
	return &ChangeLog{action: map[string]string{}, done: map[string]bool{}}
}

// Observe records the progress and passes it on to next.
func (l *ChangeLog) Observe(next func(ResourceEvent)) func(ResourceEvent) {
	return func(e ResourceEvent) {
		l.mu.Lock()
		switch e.Phase {
		case PhasePlanned:
			l.action[e.Address] = e.Action
		case PhaseComplete:
			l.done[e.Address] = true
		}
		l.mu.Unlock()
		if next != nil {
			next(e)
		}
	}
}

// Created are the addresses this apply created.
func (l *ChangeLog) Created() map[string]bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]bool{}
	for addr := range l.done {
		if l.action[addr] == "create" {
			out[addr] = true
		}
	}
	return out
}

var pastTense = map[string]string{"create": "created", "update": "updated", "delete": "deleted", "replace": "replaced"}

// List is "aws_dynamodb_table.orders created, aws_s3_bucket.uploads
// updated": each resource the apply changed, in address order.
func (l *ChangeLog) List() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, addr := range slices.Sorted(maps.Keys(l.done)) {
		if verb := pastTense[l.action[addr]]; verb != "" {
			out = append(out, addr+" "+verb)
		}
	}
	return strings.Join(out, ", ")
}

// Changes are the resources the apply changed, in address order, with
// the action the plan gave each.
func (l *ChangeLog) Changes() []Change {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Change
	for _, addr := range slices.Sorted(maps.Keys(l.done)) {
		if pastTense[l.action[addr]] != "" {
			out = append(out, Change{Address: addr, Action: l.action[addr]})
		}
	}
	return out
}
