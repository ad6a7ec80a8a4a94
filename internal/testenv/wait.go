package testenv

import (
	"testing"
	"time"
)

// pollEvery is how often Until looks at its condition.
const pollEvery = 10 * time.Millisecond

// Until waits until cond holds, looking at it every few milliseconds, and
// fails the test with what when it has not held within timeout. Tests wait
// on conditions this way, never on a fixed delay, so that a loaded machine
// makes them slower, not wrong.
func Until(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s: %s", timeout, what)
		}
		<-tick.C
	}
}

// NextSecond waits until the clock has left the whole second of at, so
// that what is written from now on is stamped strictly later (S3 keeps
// whole seconds).
func NextSecond(t testing.TB, at time.Time) {
	t.Helper()
	Until(t, 5*time.Second, "the clock to pass "+at.Format(time.RFC3339), func() bool {
		return time.Now().Truncate(time.Second).After(at)
	})
}
