package file

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"

	"github.com/tfrebuild/tfrebuild/checkpoint"
)

// The file store's run lock is an flock on run.lock beside the checkpoint.
// The kernel drops an flock when its process dies, so a lock that can be
// taken is never held by a live run; the holder written into the file says
// who had it.

func (f *Store) lockPath() string { return filepath.Join(filepath.Dir(f.Path), "run.lock") }

type fileLock struct{ f *os.File }

func (l *fileLock) Release(ctx context.Context) error {
	if l.f == nil {
		return nil
	}
	_ = l.f.Truncate(0)
	err := syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	l.f.Close()
	l.f = nil
	return err
}

func (f *Store) Lock(ctx context.Context, me checkpoint.Holder) (checkpoint.RunLock, *checkpoint.Holder, error) {
	if err := os.MkdirAll(filepath.Dir(f.Path), 0o700); err != nil {
		return nil, nil, err
	}
	file, err := os.OpenFile(f.lockPath(), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("open run lock: %w", err)
	}
	prev := readHolder(file)
	if err := syscall.Flock(int(file.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		file.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			h := checkpoint.Holder{}
			if prev != nil {
				h = *prev
			}
			return nil, nil, &checkpoint.LockedError{Holder: h, Where: f.lockPath()}
		}
		return nil, nil, fmt.Errorf("lock %s: %w", f.lockPath(), err)
	}
	b, _ := json.Marshal(me)
	err = file.Truncate(0)
	if err == nil {
		_, err = file.WriteAt(b, 0)
	}
	if err == nil {
		err = file.Sync()
	}
	if err != nil {
		l := &fileLock{file}
		_ = l.Release(ctx)
		return nil, nil, fmt.Errorf("write run lock: %w", err)
	}
	return &fileLock{file}, prev, nil
}

func (f *Store) Locked(ctx context.Context) (*checkpoint.Holder, error) {
	file, err := os.OpenFile(f.lockPath(), os.O_RDWR, 0o600)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer file.Close()
	if err := syscall.Flock(int(file.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		if h := readHolder(file); h != nil {
			return h, nil
		}
		return &checkpoint.Holder{}, nil
	}
	_ = syscall.Flock(int(file.Fd()), syscall.LOCK_UN)
	return nil, nil
}

// readHolder reads the holder a lock file names; nil for an empty file.
func readHolder(f *os.File) *checkpoint.Holder {
	b, err := io.ReadAll(io.NewSectionReader(f, 0, 1<<16))
	if err != nil || len(b) == 0 {
		return nil
	}
	h := &checkpoint.Holder{}
	if json.Unmarshal(b, h) != nil {
		return nil
	}
	return h
}
