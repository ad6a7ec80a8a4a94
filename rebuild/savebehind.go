package rebuild

import (
	"encoding/json"

	"github.com/tfrebuild/tfrebuild/checkpoint"
)

// A run saves its checkpoint behind it (checkpoint.Behind) after every
// stage event; a stage about to let Terraform or AWS write flushes first.

// flush waits for the saves asked for so far; a no-op outside a run
// that saves behind.
func (a *applier) flush() {
	if a.behind != nil {
		a.behind.Flush()
	}
}

// save writes the checkpoint to a store now (behind saves it behind the
// run): a copy of the record taken under the lock, so that stages go on
// recording while the store writes. A failure is reported as a note, and
// the run goes on.
func (c *core) save(store checkpoint.Store, stage string) {
	c.mu.Lock()
	data, err := json.Marshal(c.ckpt)
	c.mu.Unlock()
	snap := &checkpoint.Checkpoint{}
	if err == nil {
		err = json.Unmarshal(data, snap)
	}
	if err != nil {
		c.saveFailed(stage, err)
		return
	}
	c.saveTo(store, snap, stage)
}
