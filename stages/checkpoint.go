package stages

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// SchemaVersion is the checkpoint format this build writes. A newer file
// is refused rather than overwritten.
const SchemaVersion = 1

// Checkpoint is the recorded progress of rebuilds of one target. It never
// holds a secret: outputs are kept as hashes.
type Checkpoint struct {
	Schema    int                     `json:"schema"`
	Project   string                  `json:"project"`
	Account   string                  `json:"account"`
	Region    string                  `json:"region"`
	RunID     string                  `json:"run_id"`
	With      []string                `json:"with,omitempty"`
	StartedAt time.Time               `json:"started_at"`
	UpdatedAt time.Time               `json:"updated_at"`
	Stages    map[string]*StageRecord `json:"stages"`
}

// StageRecord is one stage's last outcome.
type StageRecord struct {
	Status       Status            `json:"status"`
	StartedAt    *time.Time        `json:"started_at,omitempty"`
	FinishedAt   *time.Time        `json:"finished_at,omitempty"`
	Attempts     int               `json:"attempts"`
	Fingerprint  string            `json:"fingerprint,omitempty"`
	OutputHashes map[string]string `json:"output_hashes,omitempty"`
	Error        string            `json:"error,omitempty"`
	Notes        []string          `json:"notes,omitempty"`
	// ConfirmedBy and ConfirmedAt record who confirmed a manual step.
	ConfirmedBy string     `json:"confirmed_by,omitempty"`
	ConfirmedAt *time.Time `json:"confirmed_at,omitempty"`
}

// Stage returns the record of a stage, creating it.
func (c *Checkpoint) Stage(name string) *StageRecord {
	if c.Stages == nil {
		c.Stages = map[string]*StageRecord{}
	}
	r := c.Stages[name]
	if r == nil {
		r = &StageRecord{Status: Pending}
		c.Stages[name] = r
	}
	return r
}

// Store keeps a checkpoint. Load returns (nil, nil) when there is none yet.
type Store interface {
	Load(ctx context.Context) (*Checkpoint, error)
	Save(ctx context.Context, c *Checkpoint) error
}

// FileStore keeps the checkpoint in a JSON file, written atomically: a
// crash leaves either the old file or the new one, never a torn one.
type FileStore struct {
	Path string
}

var _ Store = (*FileStore)(nil)

// ErrCorrupt is a checkpoint file that cannot be read back.
var ErrCorrupt = errors.New("checkpoint is corrupt")

func (f *FileStore) Load(ctx context.Context) (*Checkpoint, error) {
	data, err := os.ReadFile(f.Path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read checkpoint: %w", err)
	}
	c := &Checkpoint{}
	if err := json.Unmarshal(data, c); err != nil {
		return nil, fmt.Errorf("%w: %s: %v; move it aside to start the rebuild afresh", ErrCorrupt, f.Path, err)
	}
	if c.Schema > SchemaVersion {
		return nil, fmt.Errorf("checkpoint %s has schema %d, newer than this tfrebuild understands (%d); upgrade tfrebuild", f.Path, c.Schema, SchemaVersion)
	}
	return c, nil
}

func (f *FileStore) Save(ctx context.Context, c *Checkpoint) error {
	c.Schema = SchemaVersion
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return WriteFileAtomic(f.Path, data, 0o600)
}

// WriteFileAtomic writes via a temp file in the same directory, fsyncs it,
// renames it into place and fsyncs the directory.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
