package notify_test

import (
	"context"
	"fmt"
	"os"

	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/notify"
)

// How a command wires the stream: the --events file and the notify blocks
// are sinks of the run's bus; both are closed after run_finished, and what
// they could not deliver becomes notes in the summary.
func Example() {
	ctx := context.Background()
	stream, err := events.OpenNDJSON("-", os.Stdout) // --events -
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	hooks, err := notify.NewSet(notify.Options{
		Name:   "ops",                        // notify "ops" { … }
		URL:    os.Getenv("OPS_WEBHOOK_URL"), // already resolved by config
		On:     []string{notify.OnFailed, notify.OnWaiting, notify.OnDone},
		Format: notify.FormatSlack,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err) // a validation error, before any stage runs
		return
	}
	bus := events.NewBus("r-1", "shop", "apply", stream, hooks)

	runRebuild(ctx, bus) // the engine emits run_started … run_finished

	var notes []error
	if err := hooks.Close(); err != nil { // waits at most the drain time
		notes = append(notes, err)
	}
	if err := stream.Close(); err != nil {
		notes = append(notes, err)
	}
	for _, n := range notes {
		fmt.Fprintln(os.Stderr, "note:", n)
	}
	summary := bus.Redact("## shop: apply done\n")
	if err := notify.AppendStepSummary(summary); err != nil {
		fmt.Fprintln(os.Stderr, "note:", err)
	}
}

func runRebuild(_ context.Context, bus *events.Bus) {
	bus.Emit(events.Event{Type: events.RunStarted})
	bus.Emit(events.Event{Type: events.RunFinished, Outcome: events.OutcomeDone})
}
