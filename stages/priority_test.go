package stages

import (
	"context"
	"strings"
	"testing"
	"time"
)

// forked: after root, a short leaf declared first and a chain b → c → d.
func forked(t *testing.T) *Pipeline {
	return pipeline(t, []string{"root"}, []string{"a", "root"}, []string{"b", "root"}, []string{"c", "b"}, []string{"d", "c"})
}

func TestRemainingPath(t *testing.T) {
	t.Parallel()
	p := forked(t)
	est := map[string]time.Duration{"root": time.Second, "a": 10 * time.Second, "b": 2 * time.Second, "c": 3 * time.Second}
	got := RemainingPath(p, func(s *Stage) time.Duration { return est[s.Name] })
	for name, want := range map[string]time.Duration{
		"d": unknownStage, "c": 3*time.Second + unknownStage, "b": 5*time.Second + unknownStage,
		"a": 10 * time.Second, "root": 11 * time.Second,
	} {
		if got[name] != want {
			t.Errorf("RemainingPath[%s] = %s, want %s", name, got[name], want)
		}
	}
}

// With one stage at a time, the stage with the longest remaining path
// starts first: by stage count when nothing is known, by the last
// rebuild's durations when they are.
func TestRunnerStartsTheLongestRemainingPathFirst(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		est  map[string]time.Duration
		want string
	}{
		{"no estimates: the longer chain", nil, "root b c a d"},
		{"a known slow leaf", map[string]time.Duration{"a": time.Minute, "b": time.Second, "c": time.Second, "d": time.Second}, "root a b c d"},
		{"a known slow chain", map[string]time.Duration{"a": time.Second, "b": time.Second, "c": time.Minute}, "root b c a d"},
	} {
		rec := &recorder{}
		r := &Runner{Parallelism: 1, Run: rec.run}
		if c.est != nil {
			r.Estimate = func(s *Stage) time.Duration { return c.est[s.Name] }
		}
		if _, err := r.Execute(context.Background(), forked(t)); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(rec.started, " "); got != c.want {
			t.Errorf("%s: started %s, want %s", c.name, got, c.want)
		}
	}
}
