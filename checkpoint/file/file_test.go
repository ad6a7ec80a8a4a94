package file_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/checkpoint/file"
	"github.com/tfrebuild/tfrebuild/checkpoint/storetest"
)

func TestFileStoreConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) checkpoint.Store {
		return &file.Store{Path: filepath.Join(t.TempDir(), ".tfrebuild", "checkpoint.json")}
	})
}

func TestFileStoreRefusesCorruptAndNewerFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "checkpoint.json")
	s := &file.Store{Path: path}
	if err := os.WriteFile(path, []byte(`{"schema": 1, "stages": {`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx); !errors.Is(err, checkpoint.ErrCorrupt) || !strings.Contains(err.Error(), path) {
		t.Errorf("corrupt file: %v", err)
	}
	if err := os.WriteFile(path, []byte(`{"schema": 99}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx); err == nil || !strings.Contains(err.Error(), "schema 99") {
		t.Errorf("newer schema: %v", err)
	}
}

func TestFileStoreWritesAtomicallyAndPrivately(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := &file.Store{Path: filepath.Join(dir, "checkpoint.json")}
	for i := 0; i < 5; i++ {
		if err := s.Save(context.Background(), &checkpoint.Checkpoint{Project: "p"}); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temp files left behind: %v", entries)
	}
	info, err := os.Stat(s.Path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("checkpoint mode %v, %v", info.Mode(), err)
	}
}

// A lock file left by a process that died names it; the next run takes the
// lock over and learns who held it.
func TestFileLockTakeover(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := &file.Store{Path: filepath.Join(dir, "checkpoint.json")}
	dead := `{"run_id":"crashed","host":"h","pid":999999,"since":"2026-01-01T00:00:00Z"}`
	if err := os.WriteFile(filepath.Join(dir, "run.lock"), []byte(dead), 0o600); err != nil {
		t.Fatal(err)
	}
	l, prev, err := s.Lock(context.Background(), checkpoint.Holder{RunID: "new", PID: os.Getpid()})
	if err != nil || prev == nil || prev.RunID != "crashed" {
		t.Fatalf("takeover: prev %v, err %v", prev, err)
	}
	_ = l.Release(context.Background())
}

// A checkpoint written before findings were a field still reads, with its
// fields where they were.
func TestFileStoreReadsTheFormerLayout(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "checkpoint.json")
	old := `{"schema": 1, "project": "p", "account": "123456789012", "region": "eu-west-2", "run_id": "r",
  "run": {"run_id": "r", "host": "h", "pid": 7, "user": "ann", "since": "2026-01-01T00:00:00Z"},
  "started_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:01:00Z",
  "stages": {"state": {"status": "done", "attempts": 1, "notes": ["drift s3://b: versioning"]},
             "step.handoff": {"status": "waiting", "attempts": 1, "confirmed_by": "ann@h", "confirmed_at": "2026-01-01T00:02:00Z"}}}`
	if err := os.WriteFile(path, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := (&file.Store{Path: path}).Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c.Run == nil || c.Run.User != "ann" || c.Stages["state"].Notes[0] != "drift s3://b: versioning" ||
		c.Stages["step.handoff"].ConfirmedBy != "ann@h" || c.Stages["state"].Findings != nil {
		t.Errorf("former layout read as %+v", c)
	}
}
