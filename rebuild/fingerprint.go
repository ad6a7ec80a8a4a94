package rebuild

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/tfrebuild/tfrebuild/config"
)

// fingerprint is what a stack's apply depends on: its source files and the
// local modules they call (including .terraform.lock.hcl), its input
// values, its upstream stacks' output hashes, the engine and its version
// (switching from Terraform to OpenTofu re-plans every stack) and the
// backend settings. Values are hashed, never stored, and the hash is keyed
// with the target's checkpoint key (HMAC-SHA256): inputs and outputs may be
// secrets, and a plain hash of a short secret is guessed by trying values.
type fingerprint struct {
	h hashWriter
}

// keyedPrefix marks a keyed hash; a plain "sha256:" from an older
// checkpoint never matches one, so those stacks are applied once more.
const keyedPrefix = "hmac-sha256:"

type hashWriter interface {
	io.Writer
	Sum([]byte) []byte
}

func newFingerprint(key []byte) *fingerprint { return &fingerprint{h: hmac.New(sha256.New, key)} }

func (f *fingerprint) add(kind, name, value string) {
	fmt.Fprintf(f.h, "%s\x00%s\x00%d\x00%s\x00", kind, name, len(value), value)
}

func (f *fingerprint) String() string { return keyedPrefix + hex.EncodeToString(f.h.Sum(nil)) }

// stackFingerprint computes the fingerprint of one stack's apply.
func stackFingerprint(key []byte, st *config.Stack, vars map[string]cty.Value, upstream map[string]map[string]string, engine, backend string) (string, error) {
	f := newFingerprint(key)
	f.add("engine", "", engine)
	f.add("backend", "", backend)
	if err := f.addTree(st.SourceDir, st.SourceDir, map[string]bool{}); err != nil {
		return "", err
	}
	for _, name := range slices.Sorted(maps.Keys(vars)) {
		b, err := ctyjson.Marshal(vars[name], vars[name].Type())
		if err != nil {
			return "", fmt.Errorf("input %q: %w", name, err)
		}
		// Into the keyed hash as they are: no plain hash of a value
		// exists anywhere, not even inside the computation.
		f.add("input", name, string(b))
	}
	for _, up := range slices.Sorted(maps.Keys(upstream)) {
		for _, out := range slices.Sorted(maps.Keys(upstream[up])) {
			f.add("upstream", up+"."+out, upstream[up][out])
		}
	}
	if err := f.addUserEnv(st); err != nil {
		return "", err
	}
	return f.String(), nil
}

// addTree hashes every file of a module directory (not recursing into
// subdirectories, which belong to other modules) and, recursively, the
// local modules it calls.
func (f *fingerprint) addTree(root, dir string, seen map[string]bool) error {
	if seen[dir] {
		return nil
	}
	seen[dir] = true
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("fingerprint %s: %w", dir, err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() && e.Type()&fs.ModeSymlink == 0 {
			continue
		}
		path := filepath.Join(dir, e.Name())
		b, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("fingerprint %s: %w", path, err)
		}
		rel, _ := filepath.Rel(root, path)
		sum := sha256.Sum256(b)
		f.add("file", filepath.ToSlash(rel), hex.EncodeToString(sum[:]))
	}
	m, _ := config.InspectModule(dir)
	if m == nil {
		return nil
	}
	srcs := append([]string(nil), m.LocalModules...)
	slices.Sort(srcs)
	for _, src := range srcs {
		if err := f.addTree(root, filepath.Join(dir, filepath.FromSlash(strings.TrimSuffix(src, "/"))), seen); err != nil {
			return err
		}
	}
	return nil
}

// hashOutputs keeps a keyed hash per output so that a resumed run can tell
// whether upstream values changed without storing them, or anything a
// guess could be checked against.
func hashOutputs(key []byte, values map[string]cty.Value) map[string]string {
	out := map[string]string{}
	for name, v := range values {
		b, err := ctyjson.Marshal(v, v.Type())
		if err != nil {
			continue
		}
		m := hmac.New(sha256.New, key)
		m.Write(b)
		out[name] = keyedPrefix + hex.EncodeToString(m.Sum(nil))
	}
	return out
}
