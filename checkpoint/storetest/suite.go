// Package storetest is the conformance suite every checkpoint Store
// implementation passes.
package storetest

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/stages"
)

// Run checks a Store; newStore returns an empty store of its own each call.
func Run(t *testing.T, newStore func(t *testing.T) checkpoint.Store) {
	for _, tc := range []struct {
		name string
		test func(t *testing.T, s checkpoint.Store)
	}{
		{"empty", testEmpty},
		{"round trip", testRoundTrip},
		{"overwrite", testOverwrite},
		{"run lock", testRunLock},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.test(t, newStore(t)) })
	}
}

func testEmpty(t *testing.T, s checkpoint.Store) {
	ctx := context.Background()
	c, err := s.Load(ctx)
	if err != nil || c != nil {
		t.Fatalf("an empty store loads (nil, nil), got %v, %v", c, err)
	}
}

func testRoundTrip(t *testing.T, s checkpoint.Store) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	c := &checkpoint.Checkpoint{Project: "p", Account: "123456789012", Region: "eu-west-2", RunID: "r1", StartedAt: now, With: []string{"green"}}
	rec := c.Stage("stack.blue")
	rec.Status, rec.StartedAt, rec.FinishedAt, rec.Attempts = stages.Done, &now, &now, 2
	rec.Fingerprint, rec.OutputHashes = "sha256:abc", map[string]string{"url": "sha256:def"}
	rec.Findings = []checkpoint.Finding{{Kind: checkpoint.Drift, Address: "s3://b", Message: "versioning is off"}}
	if err := s.Save(ctx, c); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load(ctx)
	if err != nil || got == nil {
		t.Fatalf("load: %v", err)
	}
	g := got.Stages["stack.blue"]
	if got.Schema != checkpoint.SchemaVersion || got.RunID != "r1" || len(got.With) != 1 || g.Status != stages.Done ||
		g.Attempts != 2 || !g.StartedAt.Equal(now) || g.OutputHashes["url"] != "sha256:def" || g.Fingerprint != "sha256:abc" ||
		len(g.Findings) != 1 || g.Findings[0] != rec.Findings[0] {
		t.Errorf("round trip lost data: %+v %+v", got, g)
	}
}

func testOverwrite(t *testing.T, s checkpoint.Store) {
	ctx := context.Background()
	c := &checkpoint.Checkpoint{Project: "p", RunID: "a"}
	if err := s.Save(ctx, c); err != nil {
		t.Fatal(err)
	}
	c.RunID = "b"
	c.Stage("state").Status = stages.Failed
	if err := s.Save(ctx, c); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load(ctx)
	if err != nil || got.RunID != "b" || got.Stages["state"].Status != stages.Failed {
		t.Errorf("second save not read back: %+v %v", got, err)
	}
}

func testRunLock(t *testing.T, s checkpoint.Store) {
	ctx := context.Background()
	first := checkpoint.Holder{RunID: "first", Host: checkpoint.Hostname(), PID: os.Getpid(), Since: time.Now().UTC()}
	l, prev, err := s.Lock(ctx, first)
	if err != nil || prev != nil {
		t.Fatalf("lock a free store: %v (previous holder %v)", err, prev)
	}
	var le *checkpoint.LockedError
	_, _, err = s.Lock(ctx, checkpoint.Holder{RunID: "second", Host: "other", PID: 1})
	if !errors.As(err, &le) || le.Holder.RunID != "first" {
		t.Fatalf("a second run must be refused naming the first: %v", err)
	}
	if h, err := s.Locked(ctx); err != nil || h == nil || h.RunID != "first" {
		t.Errorf("Locked: %v %v", h, err)
	}
	if err := l.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if h, err := s.Locked(ctx); err != nil || h != nil {
		t.Errorf("Locked after release: %v %v", h, err)
	}
	l2, _, err := s.Lock(ctx, checkpoint.Holder{RunID: "second", Host: checkpoint.Hostname(), PID: os.Getpid()})
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	_ = l2.Release(ctx)
}
