package fingerprint

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/tfrebuild/tfrebuild/config"
)

// fingerprint is what a stack's apply depends on: its file set (its files
// and the local modules they call, .terraform.lock.hcl included), its input
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

// Stack computes the fingerprint of one stack's apply: key is the
// target's hash key (Key), upstream the upstream stacks' output hashes
// (Outputs) by stack and output, engine the engine and its version, and
// backend the backend settings as text.
func Stack(key []byte, st *config.Stack, vars map[string]cty.Value, upstream map[string]map[string]string, engine, backend string) (string, error) {
	f := newFingerprint(key)
	f.add("engine", "", engine)
	f.add("backend", "", backend)
	if err := f.addFiles(st); err != nil {
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

// addFiles hashes the stack's file set (config.StackFiles): its files
// and those of the local modules it calls, by path and content. The set
// listed when the config was read is the one the working copy copies.
func (f *fingerprint) addFiles(st *config.Stack) error {
	set := st.Files
	if set == nil {
		var err error
		if set, err = config.StackFiles(st.SourceDir); err != nil {
			return fmt.Errorf("fingerprint stack %s: %w", st.Name, err)
		}
	}
	for _, rel := range set.Files {
		sum, err := hashFile(set, rel)
		if err != nil {
			return fmt.Errorf("fingerprint stack %s: %w", st.Name, err)
		}
		f.add("file", rel, sum)
	}
	return nil
}

func hashFile(set *config.FileSet, rel string) (string, error) {
	r, err := set.Open(rel)
	if err != nil {
		return "", err
	}
	defer r.Close()
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", fmt.Errorf("read %s: %w", set.Path(rel), err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Outputs keeps a keyed hash per output so that a resumed run can tell
// whether upstream values changed without storing them, or anything a
// guess could be checked against.
func Outputs(key []byte, values map[string]cty.Value) map[string]string {
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

// addUserEnv adds what the user hands the stack's engine besides its
// inputs: the env values and the var files' contents, in order. Either
// can change what an apply does. Like inputs they may be secrets: they go
// into the hash, never anywhere else.
func (f *fingerprint) addUserEnv(st *config.Stack) error {
	for _, name := range slices.Sorted(maps.Keys(st.Env)) {
		f.add("env", name, st.Env[name])
	}
	for _, path := range st.VarFiles {
		b, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("stack %s: read its var file: %w", st.Name, err)
		}
		f.add("var_file", path, string(b))
	}
	return nil
}
