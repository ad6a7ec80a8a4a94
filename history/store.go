package history

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	ckfile "github.com/tfrebuild/tfrebuild/checkpoint/file"
)

// Store keeps a target's records. Append writes one (writing the same
// record twice leaves one); List returns the n newest, oldest first (all
// of them for n <= 0).
type Store interface {
	Append(ctx context.Context, r Record) error
	List(ctx context.Context, n int) ([]Record, error)
}

// FileStore keeps each record as DIR/ID.json (.tfrebuild/history beside
// the config), written atomically.
type FileStore struct {
	Dir string
}

var _ Store = (*FileStore)(nil)

// Append writes the record's file.
func (f *FileStore) Append(ctx context.Context, r Record) error {
	r.Schema = Schema
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(f.Dir, 0o700); err != nil {
		return fmt.Errorf("history: create %s: %w", f.Dir, err)
	}
	path := filepath.Join(f.Dir, r.ID()+".json")
	if err := ckfile.WriteFileAtomic(path, data, 0o600); err != nil {
		return fmt.Errorf("history: write %s: %w", path, err)
	}
	return nil
}

// List reads the records of the folder; a file that cannot be read is
// an error naming it (move it aside to go on).
func (f *FileStore) List(ctx context.Context, n int) ([]Record, error) {
	entries, err := os.ReadDir(f.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("history: read %s: %w", f.Dir, err)
	}
	var out []Record
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		path := filepath.Join(f.Dir, e.Name())
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("history: read %s: %w", path, err)
		}
		var r Record
		if err := json.Unmarshal(data, &r); err != nil {
			return nil, fmt.Errorf("history: %s is not a history record (%v); move it aside", path, err)
		}
		out = append(out, r)
	}
	sortRecords(out)
	return newest(out, n), nil
}

// Both writes to every store and lists the union of their records (the
// same record in two stores counts once). A store that fails to list is
// an error; one that fails to write is too, after the others were written.
type Both []Store

var _ Store = Both(nil)

// Append writes the record to every store.
func (b Both) Append(ctx context.Context, r Record) error {
	var errs []error
	for _, s := range b {
		errs = append(errs, s.Append(ctx, r))
	}
	return errors.Join(errs...)
}

// List is the union of the stores' records.
func (b Both) List(ctx context.Context, n int) ([]Record, error) {
	seen := map[string]bool{}
	var out []Record
	for _, s := range b {
		list, err := s.List(ctx, 0)
		if err != nil {
			return nil, err
		}
		for _, r := range list {
			if !seen[r.ID()] {
				seen[r.ID()] = true
				out = append(out, r)
			}
		}
	}
	sortRecords(out)
	return newest(out, n), nil
}
