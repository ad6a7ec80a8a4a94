package fingerprint

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/tfrebuild/tfrebuild/checkpoint"
)

// keyFile is the name of the checkpoint's hash key in the state dir.
const keyFile = "checkpoint.key"

// loadKey returns the target's random key for the checkpoint's keyed
// hashes, creating it on first use: 32 random bytes, hex, in a 0600 file
// beside the checkpoint. It is created under a temporary name and linked
// into place, so two runs racing to create it end up with the same key.
//
// With checkpoint { store = "dynamodb" } the key lives with the target,
// beside the checkpoint (Key asks the store), not here.
func loadKey(dir string) ([]byte, error) {
	path := filepath.Join(dir, keyFile)
	if key, err := readHashKey(path); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create %s for the checkpoint key: %w", dir, err)
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("make the checkpoint key: %w", err)
	}
	tmp, err := os.CreateTemp(dir, keyFile+".*")
	if err != nil {
		return nil, fmt.Errorf("write the checkpoint key: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.WriteString(hex.EncodeToString(b) + "\n")
	if err := errors.Join(werr, tmp.Chmod(0o600), tmp.Sync(), tmp.Close()); err != nil {
		return nil, fmt.Errorf("write the checkpoint key %s: %w", tmp.Name(), err)
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("write the checkpoint key %s: %w", path, err)
	}
	return readHashKey(path)
}

func readHashKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) < 16 {
		return nil, fmt.Errorf("the checkpoint key %s is damaged; move it aside (the next apply makes a new one and applies every stack once more)", path)
	}
	return key, nil
}

// Key is the key of this run's keyed hashes. A store that keeps it
// (the DynamoDB store) is asked, so that every machine resuming the
// rebuild decides alike; the first run offers this machine's key when it
// has one (a rebuild begun before the key moved keeps its hashes), or a
// new random one. Otherwise the key is the file beside the checkpoint.
func Key(ctx context.Context, store checkpoint.Store, dir string) ([]byte, error) {
	ks, ok := store.(checkpoint.KeyStore)
	if !ok {
		return loadKey(dir)
	}
	fresh, err := readHashKey(filepath.Join(dir, keyFile))
	if err != nil {
		fresh = make([]byte, 32)
		if _, err := rand.Read(fresh); err != nil {
			return nil, fmt.Errorf("make the checkpoint key: %w", err)
		}
	}
	return ks.HashKey(ctx, fresh)
}
