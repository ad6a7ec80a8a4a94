package poll

import (
	"context"
	"time"
)

// Schedule says when to ask again. The interval is Fraction of the time
// waited so far, never below Min nor above Max: a wait that turns out long
// costs few calls, and one that turns out short is noticed at once.
type Schedule struct {
	Min, Max time.Duration
	// Fraction of the elapsed wait; 0 means 0.1 (a wait ends at most 10%
	// late, and at most Max late).
	Fraction float64
}

// Common schedules.
var (
	// NewTable: a new DynamoDB table is ACTIVE in 5–20 s.
	NewTable = Schedule{Min: 250 * time.Millisecond, Max: time.Second}
	// Restore: a table restore takes minutes to hours.
	Restore = Schedule{Min: time.Second, Max: 10 * time.Second}
)

// Next is the interval before the next check, after elapsed of waiting.
func (s Schedule) Next(elapsed time.Duration) time.Duration {
	f := s.Fraction
	if f <= 0 {
		f = 0.1
	}
	d := time.Duration(float64(elapsed) * f)
	if s.Max > 0 && d > s.Max {
		d = s.Max
	}
	if d < s.Min {
		d = s.Min
	}
	return d
}

// Until calls check at once, then again on s's schedule, until it reports
// done or an error, or ctx ends (then ctx's error).
func Until(ctx context.Context, s Schedule, check func(context.Context) (bool, error)) error {
	start := time.Now()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
		}
		done, err := check(ctx)
		if err != nil && ctx.Err() != nil {
			return ctx.Err() // the cancellation, not its side effect
		}
		if err != nil || done {
			return err
		}
		timer.Reset(s.Next(time.Since(start)))
	}
}
