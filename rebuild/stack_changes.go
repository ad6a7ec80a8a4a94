package rebuild

import (
	"fmt"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/terraform"
)

// changeRecords are an apply's changes as the checkpoint keeps them;
// repaired marks each as drift repaired.
func changeRecords(l *terraform.ChangeLog, repaired bool) []checkpoint.ResourceChange {
	var out []checkpoint.ResourceChange
	for _, c := range l.Changes() {
		out = append(out, checkpoint.ResourceChange{Address: c.Address, Action: c.Action, Repaired: repaired})
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
