package rebuild

import (
	"encoding/json"
	"sync"

	"github.com/tfrebuild/tfrebuild/checkpoint"
)

// The checkpoint is saved after every stage event, but a stage does not
// wait for the disk (a write and two fsyncs, or a DynamoDB write, per
// save): one goroutine saves behind the run, in order, each time the
// record as it stands then, so that what the store holds is always the
// run's record at some moment, never older than the last save. A stage
// that is about to let Terraform or AWS write waits for what was recorded
// before it (flush): if the run dies during the write, the next run knows
// the stage was running, and looks for the lock it may have left.

// behind saves a core's checkpoint behind the run.
type behind struct {
	c     *core
	store checkpoint.Store

	mu           sync.Mutex
	cond         *sync.Cond
	asked, saved uint64 // saves asked for and done, counted
	stage        string // the stage of the latest ask, for a failure's note
	closed       bool
	done         chan struct{}
}

func newBehind(c *core, store checkpoint.Store) *behind {
	b := &behind{c: c, store: store, done: make(chan struct{})}
	b.cond = sync.NewCond(&b.mu)
	go b.loop()
	return b
}

// ask asks for a save of the record as it stands now, or later.
func (b *behind) ask(stage string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.asked++
	b.stage = stage
	b.cond.Broadcast()
}

// flush waits for the saves asked for so far; a no-op outside a run
// that saves behind.
func (a *applier) flush() {
	if a.behind != nil {
		a.behind.flush()
	}
}

// flush waits until what was recorded before the call is saved.
func (b *behind) flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	want := b.asked
	for b.saved < want && !b.closed {
		b.cond.Wait()
	}
}

// close saves what is left and stops.
func (b *behind) close() {
	b.flush()
	b.mu.Lock()
	b.closed = true
	b.cond.Broadcast()
	b.mu.Unlock()
	<-b.done
}

func (b *behind) loop() {
	defer close(b.done)
	for {
		b.mu.Lock()
		for b.saved == b.asked && !b.closed {
			b.cond.Wait()
		}
		if b.saved == b.asked {
			b.mu.Unlock()
			return
		}
		target, stage := b.asked, b.stage
		b.mu.Unlock()
		b.c.save(b.store, stage)
		b.mu.Lock()
		b.saved = target
		b.cond.Broadcast()
		b.mu.Unlock()
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
