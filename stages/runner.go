package stages

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Status is where a stage stands. The names are part of the status --json
// contract.
type Status string

const (
	Pending     Status = "pending"
	Running     Status = "running"
	Done        Status = "done"
	Failed      Status = "failed"
	Blocked     Status = "blocked"
	Skipped     Status = "skipped"
	Waiting     Status = "waiting"
	Interrupted Status = "interrupted"
)

// ErrWaiting is returned by a stage that waits for a person (a manual
// step). The run stops there without failing; its dependents stay pending.
var ErrWaiting = errors.New("waiting for confirmation")

// Func runs one stage. It must return promptly once ctx is cancelled.
type Func func(ctx context.Context, s *Stage) error

// Event reports a stage changing status. Err is set for failed and
// interrupted stages.
type Event struct {
	Stage  string
	Status Status
	Time   time.Time
	Err    error
}

// Runner executes a pipeline: every ready stage at once, up to Parallelism.
// When Parallelism leaves a choice, the ready stage with the longest
// remaining path (RemainingPath, from Estimate) starts first: the critical
// path is never queued behind work that has slack.
type Runner struct {
	Parallelism int
	Run         Func
	// Estimate, when set, is how long a stage is expected to take (the
	// last rebuild's duration); ≤ 0 for unknown.
	Estimate func(*Stage) time.Duration
	// OnEvent, when set, is called for every status change, from one
	// goroutine at a time.
	OnEvent func(Event)
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// StageError is the failure of one stage.
type StageError struct {
	Stage string
	Err   error
}

func (e *StageError) Error() string { return e.Stage + ": " + e.Err.Error() }
func (e *StageError) Unwrap() error { return e.Err }

// Result is the outcome of a run: every stage's final status.
type Result struct {
	Status map[string]Status
}

// Waiting reports whether the run stopped at a manual step.
func (r *Result) Waiting() bool {
	for _, s := range r.Status {
		if s == Waiting {
			return true
		}
	}
	return false
}

type finished struct {
	stage string
	err   error
}

// Execute runs the pipeline. The dependents of a failed stage are marked
// blocked while independent branches run to the end; the error lists every
// failure. On cancellation no new stage starts, running ones are waited
// for, and the error wraps the context's cause (context.Canceled for an
// interrupt, the reason when the run was cancelled for one).
func (r *Runner) Execute(ctx context.Context, p *Pipeline) (*Result, error) {
	par := r.Parallelism
	if par < 1 {
		par = 1
	}
	now := r.Now
	if now == nil {
		now = time.Now
	}
	res := &Result{Status: map[string]Status{}}
	set := func(name string, st Status, err error) {
		res.Status[name] = st
		if r.OnEvent != nil {
			r.OnEvent(Event{Stage: name, Status: st, Time: now(), Err: err})
		}
	}
	waitingOn := map[string]int{}
	var ready []string
	for _, s := range p.Stages {
		if s.Skipped {
			set(s.Name, Skipped, nil)
			continue
		}
		res.Status[s.Name] = Pending
		waitingOn[s.Name] = len(s.Deps)
		if len(s.Deps) == 0 {
			ready = append(ready, s.Name)
		}
	}
	path := RemainingPath(p, r.Estimate)
	results := make(chan finished)
	running := 0
	var errs []error
	for {
		longestFirst(ready, path)
		for ctx.Err() == nil && running < par && len(ready) > 0 {
			name := ready[0]
			ready = ready[1:]
			set(name, Running, nil)
			running++
			go func(s *Stage) { results <- finished{s.Name, r.safeRun(ctx, s)} }(p.Get(name))
		}
		if running == 0 {
			break
		}
		f := <-results
		running--
		switch {
		case f.err == nil:
			set(f.stage, Done, nil)
			for _, d := range p.Dependents(f.stage) {
				waitingOn[d]--
				if waitingOn[d] == 0 && res.Status[d] == Pending {
					ready = append(ready, d)
				}
			}
		case errors.Is(f.err, ErrWaiting):
			set(f.stage, Waiting, nil)
		case ctx.Err() != nil:
			set(f.stage, Interrupted, f.err)
			errs = append(errs, &StageError{f.stage, fmt.Errorf("interrupted: %w", f.err)})
		default:
			set(f.stage, Failed, f.err)
			errs = append(errs, &StageError{f.stage, f.err})
			r.block(p, f.stage, res, set)
		}
	}
	if ctx.Err() != nil {
		errs = append(errs, fmt.Errorf("run interrupted: %w", context.Cause(ctx)))
	}
	return res, errors.Join(errs...)
}

// block marks every pending stage downstream of failed as blocked.
func (r *Runner) block(p *Pipeline, failed string, res *Result, set func(string, Status, error)) {
	queue := p.Dependents(failed)
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if res.Status[n] != Pending {
			continue
		}
		set(n, Blocked, fmt.Errorf("%s failed", failed))
		queue = append(queue, p.Dependents(n)...)
	}
}
