package bootstrap

import "sync"

// Beside runs one bootstrap step in the background once another has
// proved what it must before any write (Options.Proved): the lock table,
// which takes seconds to become ACTIVE, is created while the state bucket
// is created and hardened, instead of after it, and a foreign bucket
// still stops the run before either writes.
type Beside struct {
	once    sync.Once
	started bool
	done    chan struct{}
	rep     *Report
	err     error
}

// Start returns the function to set as Options.Proved: its first call
// starts step in the background.
func (b *Beside) Start(step func() (*Report, error)) func() {
	return func() {
		b.once.Do(func() {
			b.started, b.done = true, make(chan struct{})
			go func() {
				defer close(b.done)
				b.rep, b.err = step()
			}()
		})
	}
}

// Wait waits for the step and returns its result; started is false when
// the step never started (nothing was proved), and then Wait returns at
// once. Call it after the call that proves has returned.
func (b *Beside) Wait() (rep *Report, started bool, err error) {
	if !b.started {
		return nil, false, nil
	}
	<-b.done
	return b.rep, true, b.err
}
