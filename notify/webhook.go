package notify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/tfrebuild/tfrebuild/events"
)

// Webhook sends a run's events to one notify block's URL. It is an
// events.Sink whose Emit never blocks; it must be closed at the end of
// the run.
type Webhook struct {
	opts   Options
	ctx    context.Context
	cancel context.CancelFunc
	queue  chan delivery
	done   chan struct{}
	once   sync.Once

	mu       sync.Mutex
	closed   bool
	clock    rtoClock
	failures []error
}

var _ events.Sink = (*Webhook)(nil)

// delivery is one notification waiting to be POSTed.
type delivery struct {
	event   events.Event
	payload []byte
}

// New validates o and starts the webhook's sender.
func New(o Options) (*Webhook, error) {
	o = o.withDefaults()
	if err := o.validate(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &Webhook{
		opts:   o,
		ctx:    ctx,
		cancel: cancel,
		queue:  make(chan delivery, o.Queue),
		done:   make(chan struct{}),
	}
	go w.send()
	return w, nil
}

// Name is the notify block's name.
func (w *Webhook) Name() string { return w.opts.Name }

// Trigger names the `on` trigger e answers to, or "" when no trigger
// covers it (notes, resource progress, a skipped stage).
func Trigger(e events.Event) string {
	switch e.Type {
	case events.RunStarted:
		return OnStarted
	case events.ReadinessFailed:
		return OnReadinessFailed
	case events.DrillVerdict:
		return OnDrillVerdict
	case events.Waiting:
		return OnWaiting
	case events.StageFinished:
		switch e.Outcome {
		case events.OutcomeDone:
			return OnStageDone
		case events.OutcomeFailed:
			return OnFailed
		}
	case events.RunFinished:
		switch e.Outcome {
		case events.OutcomeDone:
			return OnDone
		case events.OutcomeFailed, events.OutcomeInterrupted:
			// An interrupted run stopped short too: someone must act.
			return OnFailed
		}
	}
	return ""
}

// Emit queues e when the block's `on` covers it. It never blocks: with the
// queue full the notification is dropped, and the drop is reported.
func (w *Webhook) Emit(e events.Event) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.clock.observe(e)
	if w.closed || !slices.Contains(w.opts.On, Trigger(e)) {
		return
	}
	payload, err := w.format(e, w.clock)
	if err != nil {
		w.failures = append(w.failures, &DeliveryError{Notify: w.opts.Name, Event: e.Type, Stage: e.Stage, Reason: "not sent: " + err.Error()})
		return
	}
	select {
	case w.queue <- delivery{event: e, payload: payload}:
	default:
		w.failures = append(w.failures, &DeliveryError{Notify: w.opts.Name, Event: e.Type, Stage: e.Stage,
			Reason: fmt.Sprintf("not sent: %d notifications were already waiting for the receiver", cap(w.queue))})
	}
}

func (w *Webhook) format(e events.Event, c rtoClock) ([]byte, error) {
	if w.opts.Format == FormatSlack {
		return slackPayload(e, c)
	}
	return events.MarshalLine(e)
}

// send POSTs the queued notifications one after another, so that they
// arrive in the order of the run.
func (w *Webhook) send() {
	defer close(w.done)
	for d := range w.queue {
		if err := w.deliver(d); err != nil {
			w.mu.Lock()
			w.failures = append(w.failures, err)
			w.mu.Unlock()
		}
	}
}

// Close stops taking events, waits up to the drain time for the queued
// ones to be delivered, then gives up on the rest. It returns every
// failed delivery joined (nil when all arrived). Safe to call twice.
func (w *Webhook) Close() error {
	w.once.Do(func() {
		w.mu.Lock()
		w.closed = true
		close(w.queue)
		w.mu.Unlock()
		drain := time.NewTimer(w.opts.Drain)
		defer drain.Stop()
		select {
		case <-w.done:
		case <-drain.C:
			// Cancelling aborts the POST in flight and the waits between
			// attempts; what is still queued is then reported unsent.
			w.cancel()
			<-w.done
		}
		w.cancel()
	})
	return errors.Join(w.Failures()...)
}

// Failures are the deliveries that failed so far, each a *DeliveryError.
func (w *Webhook) Failures() []error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.failures)
}
