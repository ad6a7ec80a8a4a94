package poll

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestScheduleNext(t *testing.T) {
	t.Parallel()
	s := Schedule{Min: time.Second, Max: 10 * time.Second}
	for _, c := range []struct{ elapsed, want time.Duration }{
		{0, time.Second},
		{5 * time.Second, time.Second},
		{20 * time.Second, 2 * time.Second},
		{60 * time.Second, 6 * time.Second},
		{100 * time.Second, 10 * time.Second},
		{3 * time.Hour, 10 * time.Second},
	} {
		if got := s.Next(c.elapsed); got != c.want {
			t.Errorf("Next(%s) = %s, want %s", c.elapsed, got, c.want)
		}
	}
	half := Schedule{Min: time.Millisecond, Max: time.Hour, Fraction: 0.5}
	if got := half.Next(10 * time.Second); got != 5*time.Second {
		t.Errorf("Fraction 0.5: Next(10s) = %s, want 5s", got)
	}
}

// The common schedules keep their promises: a new table is noticed within
// a second of being ACTIVE, a restore within ten seconds, whatever the wait.
func TestCommonSchedulesCapped(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		s    Schedule
		max  time.Duration
	}{{"NewTable", NewTable, time.Second}, {"Restore", Restore, 10 * time.Second}} {
		for elapsed := time.Duration(0); elapsed < 24*time.Hour; elapsed += 7 * time.Second {
			if got := c.s.Next(elapsed); got > c.max || got <= 0 {
				t.Fatalf("%s.Next(%s) = %s, want in (0, %s]", c.name, elapsed, got, c.max)
			}
		}
	}
}

func TestUntil(t *testing.T) {
	t.Parallel()
	fast := Schedule{Min: time.Microsecond, Max: time.Microsecond}
	calls := 0
	err := Until(context.Background(), fast, func(context.Context) (bool, error) { calls++; return calls == 3, nil })
	if err != nil || calls != 3 {
		t.Fatalf("Until = %v after %d calls, want nil after 3", err, calls)
	}
	boom := errors.New("boom")
	if err := Until(context.Background(), fast, func(context.Context) (bool, error) { return false, boom }); !errors.Is(err, boom) {
		t.Fatalf("Until = %v, want boom", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	err = Until(ctx, fast, func(context.Context) (bool, error) { cancel(); return false, errors.New("side effect") })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Until = %v, want context.Canceled", err)
	}
}
