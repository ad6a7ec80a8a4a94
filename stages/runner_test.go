package stages

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// chain builds a pipeline directly from name → deps, in the given order.
func pipeline(t *testing.T, spec ...[]string) *Pipeline {
	t.Helper()
	p := &Pipeline{byName: map[string]*Stage{}}
	for _, s := range spec {
		st := &Stage{Name: s[0], Kind: KindStack, Deps: s[1:]}
		p.Stages = append(p.Stages, st)
		p.byName[st.Name] = st
	}
	if err := p.sort(); err != nil {
		t.Fatal(err)
	}
	return p
}

// recorder is a fake stage function that records start and end order.
type recorder struct {
	mu      sync.Mutex
	started []string
	ended   []string
	active  int32
	maxSeen int32
	fail    map[string]error
	hold    time.Duration
}

func (r *recorder) run(ctx context.Context, s *Stage) error {
	n := atomic.AddInt32(&r.active, 1)
	defer atomic.AddInt32(&r.active, -1)
	for {
		m := atomic.LoadInt32(&r.maxSeen)
		if n <= m || atomic.CompareAndSwapInt32(&r.maxSeen, m, n) {
			break
		}
	}
	r.mu.Lock()
	r.started = append(r.started, s.Name)
	r.mu.Unlock()
	select {
	case <-time.After(r.hold):
	case <-ctx.Done():
		return ctx.Err()
	}
	r.mu.Lock()
	r.ended = append(r.ended, s.Name)
	r.mu.Unlock()
	return r.fail[s.Name]
}

func index(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

func TestRunnerOrder(t *testing.T) {
	t.Parallel()
	p := pipeline(t, []string{"shared"}, []string{"blue", "shared"}, []string{"green", "shared"}, []string{"link", "blue", "green"})
	rec := &recorder{hold: 80 * time.Millisecond}
	res, err := (&Runner{Parallelism: 4, Run: rec.run}).Execute(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	for _, pair := range [][2]string{{"shared", "blue"}, {"shared", "green"}, {"blue", "link"}, {"green", "link"}} {
		if index(rec.ended, pair[0]) > index(rec.started, pair[1]) {
			t.Errorf("%s started before %s ended: started %v ended %v", pair[1], pair[0], rec.started, rec.ended)
		}
	}
	if rec.maxSeen != 2 {
		t.Errorf("blue and green should overlap: at most %d ran at once", rec.maxSeen)
	}
	for name, st := range res.Status {
		if st != Done {
			t.Errorf("%s: %s, want done", name, st)
		}
	}
}

func TestRunnerParallelismBound(t *testing.T) {
	t.Parallel()
	spec := [][]string{{"root"}}
	for _, n := range []string{"a", "b", "c", "d", "e", "f"} {
		spec = append(spec, []string{n, "root"})
	}
	for _, par := range []int{1, 2, 3} {
		rec := &recorder{hold: 60 * time.Millisecond}
		if _, err := (&Runner{Parallelism: par, Run: rec.run}).Execute(context.Background(), pipeline(t, spec...)); err != nil {
			t.Fatal(err)
		}
		if int(rec.maxSeen) != par {
			t.Errorf("parallelism %d: %d ran at once", par, rec.maxSeen)
		}
	}
}

func TestRunnerFailureBlocksDependentsOnly(t *testing.T) {
	t.Parallel()
	p := pipeline(t, []string{"shared"}, []string{"blue", "shared"}, []string{"green", "shared"},
		[]string{"link", "blue", "green"}, []string{"check", "link"}, []string{"other", "shared"})
	boomBlue, boomOther := errors.New("blue exploded"), errors.New("other exploded")
	rec := &recorder{hold: 5 * time.Millisecond, fail: map[string]error{"blue": boomBlue, "other": boomOther}}
	var events []Event
	res, err := (&Runner{Parallelism: 4, Run: rec.run, OnEvent: func(e Event) { events = append(events, e) }}).Execute(context.Background(), p)
	if !errors.Is(err, boomBlue) || !errors.Is(err, boomOther) {
		t.Fatalf("want both failures in one error, got %v", err)
	}
	var se *StageError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "blue: blue exploded") {
		t.Errorf("error should name the stage: %v", err)
	}
	want := map[string]Status{"shared": Done, "blue": Failed, "green": Done, "link": Blocked, "check": Blocked, "other": Failed}
	for n, st := range want {
		if res.Status[n] != st {
			t.Errorf("%s: %s, want %s", n, res.Status[n], st)
		}
	}
	if index(rec.started, "link") >= 0 || index(rec.started, "check") >= 0 {
		t.Errorf("blocked stages ran: %v", rec.started)
	}
	if len(events) == 0 || events[len(events)-1].Time.IsZero() {
		t.Error("no events recorded")
	}
}

func TestRunnerCancellationWaitsForRunning(t *testing.T) {
	t.Parallel()
	p := pipeline(t, []string{"a"}, []string{"b"}, []string{"c", "a", "b"})
	ctx, cancel := context.WithCancel(context.Background())
	var stopped atomic.Int32
	run := func(ctx context.Context, s *Stage) error {
		if s.Name == "c" {
			t.Error("c started after cancellation")
		}
		if s.Name == "b" {
			return nil
		}
		cancel()
		<-ctx.Done()
		time.Sleep(20 * time.Millisecond) // Terraform releasing its lock
		stopped.Add(1)
		return ctx.Err()
	}
	res, err := (&Runner{Parallelism: 1, Run: run}).Execute(ctx, p)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	if stopped.Load() != 1 {
		t.Error("Execute returned before the running stage stopped")
	}
	if res.Status["a"] != Interrupted || res.Status["c"] != Pending {
		t.Errorf("statuses after interrupt: %v", res.Status)
	}
}

// A run cancelled for a reason (its lease was lost) says that reason, not
// only "context canceled".
func TestRunnerCancellationCarriesItsCause(t *testing.T) {
	t.Parallel()
	p := pipeline(t, []string{"a"}, []string{"b", "a"})
	ctx, cancel := context.WithCancelCause(context.Background())
	why := errors.New("lost the run lease")
	run := func(ctx context.Context, s *Stage) error {
		cancel(why)
		<-ctx.Done()
		return ctx.Err()
	}
	res, err := (&Runner{Parallelism: 1, Run: run}).Execute(ctx, p)
	if !errors.Is(err, why) {
		t.Fatalf("the error does not carry the cause: %v", err)
	}
	if res.Status["a"] != Interrupted || res.Status["b"] != Pending {
		t.Errorf("statuses after the cancellation: %v", res.Status)
	}
}

func TestRunnerWaitingAndPanics(t *testing.T) {
	t.Parallel()
	p := pipeline(t, []string{"step"}, []string{"after", "step"}, []string{"bad"})
	run := func(ctx context.Context, s *Stage) error {
		switch s.Name {
		case "step":
			return ErrWaiting
		case "bad":
			panic("boom")
		}
		return nil
	}
	res, err := (&Runner{Parallelism: 2, Run: run}).Execute(context.Background(), p)
	if err == nil || !strings.Contains(err.Error(), "panic") {
		t.Errorf("a panicking stage should fail the run: %v", err)
	}
	// The error carries where it panicked: the stack of the stage's goroutine.
	var pe *PanicError
	if !errors.As(err, &pe) || pe.Value != "boom" || !strings.Contains(err.Error(), "TestRunnerWaitingAndPanics.func1") ||
		!strings.Contains(err.Error(), "runner_test.go:") {
		t.Errorf("the panic's error should carry its stack trace, naming the panicking function and line: %v", err)
	}
	if !res.Waiting() || res.Status["after"] != Pending || res.Status["bad"] != Failed {
		t.Errorf("statuses: %v", res.Status)
	}
}
