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
	Schema  int      `json:"schema"`
	Project string   `json:"project"`
	Account string   `json:"account"`
	Region  string   `json:"region"`
	RunID   string   `json:"run_id"`
	With    []string `json:"with,omitempty"`
	// Run is the process that last drove this target; a later run uses it
	// to recognise Terraform state locks that process left behind.
	Run       *Holder                 `json:"run,omitempty"`
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
// Lock takes the one-run-per-target lock: it fails with a *LockedError
// while another live run holds it, and takes over (returning the old
// holder) a lock whose holder is provably gone.
type Store interface {
	Load(ctx context.Context) (*Checkpoint, error)
	Save(ctx context.Context, c *Checkpoint) error
	Lock(ctx context.Context, me Holder) (RunLock, *Holder, error)
	// Locked reports the live holder of the run lock, or nil.
	Locked(ctx context.Context) (*Holder, error)
}

// RunLock is a held run lock.
type RunLock interface {
	Release(ctx context.Context) error
}

// Holder identifies a tfrebuild process driving a target.
type Holder struct {
	RunID     string    `json:"run_id"`
	Host      string    `json:"host"`
	PID       int       `json:"pid"`
	User      string    `json:"user,omitempty"`
	Since     time.Time `json:"since"`
	Heartbeat time.Time `json:"heartbeat,omitempty"`
}

func (h Holder) String() string {
	return fmt.Sprintf("run %s, pid %d on %s (%s) since %s", h.RunID, h.PID, h.Host, h.User, h.Since.Format(time.RFC3339))
}

// LockedError is a target another live run is driving.
type LockedError struct {
	Holder Holder
	Where  string
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("another tfrebuild is driving this target: %s (lock: %s); wait for it to finish, or stop it, then run apply again", e.Holder, e.Where)
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
