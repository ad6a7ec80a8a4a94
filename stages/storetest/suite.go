// Package storetest is the conformance suite every checkpoint Store
// implementation passes.
package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/tfrebuild/tfrebuild/stages"
)

// Run checks a Store; newStore returns an empty store of its own each call.
func Run(t *testing.T, newStore func(t *testing.T) stages.Store) {
	ctx := context.Background()
	t.Run("empty", func(t *testing.T) {
		c, err := newStore(t).Load(ctx)
		if err != nil || c != nil {
			t.Fatalf("an empty store loads (nil, nil), got %v, %v", c, err)
		}
	})
	t.Run("round trip", func(t *testing.T) {
		s := newStore(t)
		now := time.Now().UTC().Truncate(time.Millisecond)
		c := &stages.Checkpoint{Project: "p", Account: "123456789012", Region: "eu-west-2", RunID: "r1", StartedAt: now, With: []string{"green"}}
		rec := c.Stage("stack.blue")
		rec.Status, rec.StartedAt, rec.FinishedAt, rec.Attempts = stages.Done, &now, &now, 2
		rec.Fingerprint, rec.OutputHashes = "sha256:abc", map[string]string{"url": "sha256:def"}
		if err := s.Save(ctx, c); err != nil {
			t.Fatal(err)
		}
		got, err := s.Load(ctx)
		if err != nil || got == nil {
			t.Fatalf("load: %v", err)
		}
		g := got.Stages["stack.blue"]
		if got.Schema != stages.SchemaVersion || got.RunID != "r1" || len(got.With) != 1 || g.Status != stages.Done ||
			g.Attempts != 2 || !g.StartedAt.Equal(now) || g.OutputHashes["url"] != "sha256:def" || g.Fingerprint != "sha256:abc" {
			t.Errorf("round trip lost data: %+v %+v", got, g)
		}
	})
	t.Run("overwrite", func(t *testing.T) {
		s := newStore(t)
		c := &stages.Checkpoint{Project: "p", RunID: "a"}
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
	})
}
