package checkpoint

import "sync"

// The checkpoint is saved after every stage event, but a stage does not
// wait for the disk (a write and two fsyncs, or a DynamoDB write, per
// save): one goroutine saves behind the run, in order, each time the
// record as it stands then, so that what the store holds is always the
// run's record at some moment, never older than the last save. A stage
// that is about to let Terraform or AWS write waits for what was recorded
// before it (Flush): if the run dies during the write, the next run knows
// the stage was running, and looks for the lock it may have left.

// Behind saves a run's record behind the run: Ask never waits for the
// store; one goroutine calls save, in order, each time with the stage of
// the latest ask, and asks made while a save runs are served by one later
// save (save takes the record as it stands when it runs). Flush waits for
// what was asked before it.
type Behind struct {
	save func(stage string)

	mu           sync.Mutex
	cond         *sync.Cond
	asked, saved uint64 // saves asked for and done, counted
	stage        string // the stage of the latest ask, for a failure's note
	closed       bool
	done         chan struct{}
}

// NewBehind starts saving behind a run with save; Close stops it.
func NewBehind(save func(stage string)) *Behind {
	b := &Behind{save: save, done: make(chan struct{})}
	b.cond = sync.NewCond(&b.mu)
	go b.loop()
	return b
}

// Ask asks for a save of the record as it stands now, or later.
func (b *Behind) Ask(stage string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.asked++
	b.stage = stage
	b.cond.Broadcast()
}

// Flush waits until what was recorded before the call is saved.
func (b *Behind) Flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	want := b.asked
	for b.saved < want && !b.closed {
		b.cond.Wait()
	}
}

// Close saves what is left and stops.
func (b *Behind) Close() {
	b.Flush()
	b.mu.Lock()
	b.closed = true
	b.cond.Broadcast()
	b.mu.Unlock()
	<-b.done
}

func (b *Behind) loop() {
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
		b.save(stage)
		b.mu.Lock()
		b.saved = target
		b.cond.Broadcast()
		b.mu.Unlock()
	}
}
