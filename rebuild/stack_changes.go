package rebuild

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/terraform"
)

// changeLog collects what an apply of a stack did to each resource, from
// the engine's progress: the action the plan gave it, once it completed.
type changeLog struct {
	mu     sync.Mutex
	action map[string]string // address → create, update, delete, replace
	done   map[string]bool
}

func newChangeLog() *changeLog {
	return &changeLog{action: map[string]string{}, done: map[string]bool{}}
}

// observe records the progress and passes it on to next.
func (l *changeLog) observe(next func(terraform.ResourceEvent)) func(terraform.ResourceEvent) {
	return func(e terraform.ResourceEvent) {
		l.mu.Lock()
		switch e.Phase {
		case terraform.PhasePlanned:
			l.action[e.Address] = e.Action
		case terraform.PhaseComplete:
			l.done[e.Address] = true
		}
		l.mu.Unlock()
		if next != nil {
			next(e)
		}
	}
}

// created are the addresses this apply created.
func (l *changeLog) created() map[string]bool {
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

// list is "aws_dynamodb_table.orders created, aws_s3_bucket.uploads
// updated": each resource the apply changed, in address order.
func (l *changeLog) list() string {
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

// records is the changes as the checkpoint keeps them; repaired marks
// each as drift repaired.
func (l *changeLog) records(repaired bool) []checkpoint.ResourceChange {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []checkpoint.ResourceChange
	for _, addr := range slices.Sorted(maps.Keys(l.done)) {
		if pastTense[l.action[addr]] != "" {
			out = append(out, checkpoint.ResourceChange{Address: addr, Action: l.action[addr], Repaired: repaired})
		}
	}
	return out
}

// changesNote says what an apply changed in a state that existed before
// it, resource by resource; a fresh stack's creation needs no list. When
// the stack's code, inputs and engine are as they were when it was last
// applied (or there is no record of it at all, as for an operator's fresh
// checkout), the changes were drift, now repaired.
func changesNote(existed, drift bool, changes string) string {
	if !existed || changes == "" {
		return ""
	}
	if drift {
		return fmt.Sprintf("repaired drift (the resources differed from the stack's code): %s", changes)
	}
	return fmt.Sprintf("changed in its existing state: %s", changes)
}
