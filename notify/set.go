package notify

import (
	"errors"
	"sync"

	"github.com/tfrebuild/tfrebuild/events"
)

// Set is every notify block of a run: one sink to subscribe, one Close.
// The zero Set and a nil *Set have no blocks and do nothing.
type Set struct {
	hooks []*Webhook
}

var _ events.Sink = (*Set)(nil)

// NewSet starts a webhook per block. When any block is invalid none is
// started, and the error lists every invalid block.
func NewSet(blocks ...Options) (*Set, error) {
	var errs []error
	for _, o := range blocks {
		if err := o.withDefaults().validate(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	s := &Set{}
	for _, o := range blocks {
		w, err := New(o)
		if err != nil { // validated above; kept so a future check cannot leak senders
			s.Close()
			return nil, err
		}
		s.hooks = append(s.hooks, w)
	}
	return s, nil
}

// Emit hands e to every block; none of them blocks.
func (s *Set) Emit(e events.Event) {
	if s == nil {
		return
	}
	for _, w := range s.hooks {
		w.Emit(e)
	}
}

// Close closes the blocks together, so the run's end waits for the
// longest drain time, not their sum, and returns every failed delivery.
func (s *Set) Close() error {
	if s == nil {
		return nil
	}
	errs := make([]error, len(s.hooks))
	var wg sync.WaitGroup
	for i, w := range s.hooks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = w.Close()
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Failures are the failed deliveries of every block so far.
func (s *Set) Failures() []error {
	if s == nil {
		return nil
	}
	var out []error
	for _, w := range s.hooks {
		out = append(out, w.Failures()...)
	}
	return out
}
