package testenv

import (
	"sync"
	"time"
)

// Clock is a time that moves only when a test moves it (no monotonic
// reading): hand its Now to what takes a clock.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock is a clock set to t.
func NewClock(t time.Time) *Clock { return &Clock{t: t.Round(0)} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock by d (back when d < 0).
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
