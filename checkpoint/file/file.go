package file

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tfrebuild/tfrebuild/checkpoint"
)

// Store keeps the checkpoint in a JSON file, written atomically: a
// crash leaves either the old file or the new one, never a torn one.
type Store struct {
	Path string
}

var _ checkpoint.Store = (*Store)(nil)

func (f *Store) Load(ctx context.Context) (*checkpoint.Checkpoint, error) {
	data, err := os.ReadFile(f.Path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read checkpoint: %w", err)
	}
	c := &checkpoint.Checkpoint{}
	if err := json.Unmarshal(data, c); err != nil {
		return nil, fmt.Errorf("%w: %s: %v; move it aside to start the rebuild afresh", checkpoint.ErrCorrupt, f.Path, err)
	}
	if err := checkpoint.CheckSchema(c, f.Path); err != nil {
		return nil, err
	}
	return c, nil
}

func (f *Store) Save(ctx context.Context, c *checkpoint.Checkpoint) error {
	c.Schema = checkpoint.SchemaVersion
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
