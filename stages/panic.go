package stages

import (
	"context"
	"fmt"
	"runtime/debug"
)

// PanicError is a stage that panicked: a bug in tfrebuild, not in the
// user's configuration. It carries the stack of the panicking goroutine, so
// that the failure can be reported and fixed from the run's output alone.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("internal error (panic): %v; this is a bug in tfrebuild: please report it with this stack trace:\n%s", e.Value, e.Stack)
}

// safeRun runs the stage, turning a panic into a *PanicError so that one
// broken stage fails like any other instead of ending the whole process
// with half-written checkpoints.
func (r *Runner) safeRun(ctx context.Context, s *Stage) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return r.Run(ctx, s)
}
