package terraform

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// Finding the pinned binary asks it its version, a process of its own that
// costs 50 to 250 ms on every run's critical path. The answer is kept,
// per binary, in the cache dir, keyed by the file's identity (path, size,
// modification time, inode): a binary that is replaced or rebuilt gets a
// new key and is asked again.

// memoFile holds the versions of the binaries already asked.
func memoFile() string { return filepath.Join(CacheDir(), "versions.json") }

var memoMu sync.Mutex // one writer per process; the file is replaced atomically

type memoEntry struct {
	Engine  string `json:"engine"`
	Version string `json:"version"`
}

// fileKey identifies a binary's current content cheaply.
func fileKey(path string) (string, bool) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", false
	}
	fi, err := os.Stat(abs)
	if err != nil || !fi.Mode().IsRegular() {
		return "", false
	}
	return fmt.Sprintf("%s|%d|%d|%d", abs, fi.Size(), fi.ModTime().UnixNano(), inode(fi)), true
}

func loadMemo() map[string]memoEntry {
	m := map[string]memoEntry{}
	if b, err := os.ReadFile(memoFile()); err == nil {
		_ = json.Unmarshal(b, &m)
	}
	return m
}

// recalled returns the engine and version remembered for the binary at
// path, if its file is unchanged since.
func recalled(path string) (memoEntry, bool) {
	key, ok := fileKey(path)
	if !ok {
		return memoEntry{}, false
	}
	memoMu.Lock()
	defer memoMu.Unlock()
	e, ok := loadMemo()[key]
	return e, ok && e.Version != ""
}

// remember keeps what a binary said it is. Failing to write the cache only
// costs the next run the question again.
func remember(path, engine, version string) {
	key, ok := fileKey(path)
	if !ok {
		return
	}
	memoMu.Lock()
	defer memoMu.Unlock()
	m := loadMemo()
	if m[key] == (memoEntry{engine, version}) {
		return
	}
	m[key] = memoEntry{engine, version}
	b, err := json.Marshal(m)
	if err != nil || os.MkdirAll(CacheDir(), 0o755) != nil {
		return
	}
	tmp := fmt.Sprintf("%s.%d.tmp", memoFile(), os.Getpid())
	if os.WriteFile(tmp, b, 0o644) == nil {
		_ = os.Rename(tmp, memoFile())
	}
}
