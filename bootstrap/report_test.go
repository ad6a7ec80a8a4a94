package bootstrap

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// reverseSettings records, in log, the checks, fixes and after-hooks of the
// settings it builds, as they happen.
type reverseSettings struct {
	mu  sync.Mutex
	log []string
}

func (r *reverseSettings) note(s string) {
	r.mu.Lock()
	r.log = append(r.log, s)
	r.mu.Unlock()
}

// build makes n settings whose checks can only finish in reverse order:
// check i returns only once check i+1 has. Run one by one, check 0 would
// wait for ever (the guard context ends it with an error instead). The
// settings listed in ok need nothing, those in noFix have no fix, and bad
// gives a setting's check an error.
func (r *reverseSettings) build(n int, ok, noFix []int, bad map[int]error) []setting {
	done := make([]chan struct{}, n)
	for i := range done {
		done[i] = make(chan struct{})
	}
	var list []setting
	for i := range n {
		name := fmt.Sprintf("s%d", i)
		set := setting{name: name, check: func(ctx context.Context) (bool, string, error) {
			defer close(done[i])
			if i+1 < n {
				select {
				case <-done[i+1]:
				case <-ctx.Done():
					return false, "", fmt.Errorf("check %s ran alone: %w", name, ctx.Err())
				}
			}
			r.note("check " + name)
			if err := bad[i]; err != nil {
				return false, "", err
			}
			return slices.Contains(ok, i), name + " differs", nil
		}}
		if !slices.Contains(noFix, i) {
			set.fix = func(context.Context) error { r.note("fix " + name); return nil }
		}
		list = append(list, set)
	}
	return list
}

// guard bounds a test that would otherwise hang if checks ran one by one;
// it is not a timing assertion: a correct converge never comes near it.
func guard(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestConvergeChecksAtOnceFixesInOrder(t *testing.T) {
	r := &reverseSettings{}
	settings := r.build(5, []int{2}, []int{3}, nil)
	rep := &Report{}
	after := func(context.Context) error { r.note("after"); return nil }
	if err := converge(guard(t), rep, "res", settings, true, false, false, after); err != nil {
		t.Fatal(err)
	}
	want := []string{"check s4", "check s3", "check s2", "check s1", "check s0",
		"fix s0", "after", "fix s1", "after", "fix s4", "after"}
	if !slices.Equal(r.log, want) {
		t.Errorf("calls:\n got %q\nwant %q", r.log, want)
	}
	wantRep := []Change{
		{Resource: "res", Action: Update, Detail: "s0: s0 differs", Applied: true},
		{Resource: "res", Action: Update, Detail: "s1: s1 differs", Applied: true},
		{Resource: "res", Action: Drift, Detail: "s3: s3 differs"},
		{Resource: "res", Action: Update, Detail: "s4: s4 differs", Applied: true},
	}
	if !slices.Equal(rep.Changes, wantRep) {
		t.Errorf("report:\n got %+v\nwant %+v", rep.Changes, wantRep)
	}
}

func TestConvergeDryRunFixesNothing(t *testing.T) {
	r := &reverseSettings{}
	rep := &Report{}
	if err := converge(guard(t), rep, "res", r.build(3, nil, nil, nil), true, true, true, nil); err != nil {
		t.Fatal(err)
	}
	if want := []string{"check s2", "check s1", "check s0"}; !slices.Equal(r.log, want) {
		t.Errorf("calls: got %q, want %q", r.log, want)
	}
	for i, c := range rep.Changes {
		if c.Applied || c.Action != Update || c.Detail != fmt.Sprintf("s%d", i) {
			t.Errorf("change %d = %+v, want an unapplied update of s%d", i, c, i)
		}
	}
	if len(rep.Changes) != 3 {
		t.Errorf("got %d changes, want 3", len(rep.Changes))
	}
}

// The checks of s3 and s1 fail; s3's error arrives first, but s1 comes
// first in the settings: its error is the one returned, after s0 was
// fixed and before anything after s1 was.
func TestConvergeReportsTheFirstFailedCheckInSettingsOrder(t *testing.T) {
	r := &reverseSettings{}
	err1, err3 := errors.New("denied s1"), errors.New("denied s3")
	settings := r.build(5, nil, nil, map[int]error{1: err1, 3: err3})
	rep := &Report{}
	err := converge(guard(t), rep, "s3://b", settings, true, false, false, nil)
	if !errors.Is(err, err1) || err.Error() != "s3://b: read s1: denied s1" {
		t.Fatalf("err = %v, want s1's read error", err)
	}
	if want := []string{"check s4", "check s3", "check s2", "check s1", "check s0", "fix s0"}; !slices.Equal(r.log, want) {
		t.Errorf("calls:\n got %q\nwant %q", r.log, want)
	}
	if len(rep.Changes) != 1 || rep.Changes[0].Detail != "s0: s0 differs" || !rep.Changes[0].Applied {
		t.Errorf("report = %+v, want only s0's applied update", rep.Changes)
	}
}

func TestConvergeStopsAtAFailedFix(t *testing.T) {
	r := &reverseSettings{}
	settings := r.build(3, nil, nil, nil)
	boom := errors.New("boom")
	settings[1].fix = func(context.Context) error { r.note("fix s1"); return boom }
	rep := &Report{}
	err := converge(guard(t), rep, "res", settings, true, false, false, nil)
	if !errors.Is(err, boom) || err.Error() != "res: set s1: boom" {
		t.Fatalf("err = %v, want s1's fix error", err)
	}
	if want := []string{"check s2", "check s1", "check s0", "fix s0", "fix s1"}; !slices.Equal(r.log, want) {
		t.Errorf("calls:\n got %q\nwant %q", r.log, want)
	}
	if len(rep.Changes) != 1 || rep.Changes[0].Detail != "s0: s0 differs" {
		t.Errorf("report = %+v, want only s0's update", rep.Changes)
	}
}

// driftOf is the drift a report leaves in place.
func driftOf(r *Report) []Change {
	var out []Change
	for _, c := range r.Changes {
		if c.Action == Drift {
			out = append(out, c)
		}
	}
	return out
}
