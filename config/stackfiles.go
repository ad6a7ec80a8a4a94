package config

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// MaxTerraformFileSize caps each configuration file (.tf, .tf.json, .tofu,
// .tofu.json) and the lock file: tfrebuild reads them whole, and no
// hand-written configuration comes near it.
const MaxTerraformFileSize = 16 << 20

// LockFileName is Terraform's dependency lock file, read at the root of a
// stack only.
const LockFileName = ".terraform.lock.hcl"

// FileSet is a stack's file set: what Terraform or OpenTofu may read when
// it runs the stack. The fingerprint hashes it, the working copy copies it
// and inspection parses its configuration files; nothing else walks a
// stack's source.
type FileSet struct {
	// Dir is the stack directory, absolute.
	Dir string
	// Files are slash paths relative to Dir, sorted. A local module
	// outside the stack starts with ../; one reached through a directory
	// symlink keeps the link's path, as Terraform resolves it.
	Files []string
	// Modules are the directories of the local modules the stack calls,
	// directly or through other local modules, relative to Dir, sorted.
	Modules []string
}

// StackFiles lists the file set of the stack in dir: every file of the
// stack's directory and of each local module it calls (source = "./x" or
// "../x", from any configuration file), subdirectories included, following
// directory symlinks. Names starting with a dot (.terraform, .git) and
// what Terraform leaves behind (terraform.tfstate, errored.tfstate,
// crash.log) are left out; the stack's lock file is in. A symlink loop, a
// file that is not a regular file or a configuration file over
// MaxTerraformFileSize is an error naming the file.
func StackFiles(dir string) (*FileSet, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	w := &walker{root: abs, files: map[string]bool{}, modules: map[string]bool{}}
	if err := w.module(".", nil); err != nil {
		return nil, err
	}
	set := &FileSet{Dir: abs}
	set.Files = slices.Sorted(maps.Keys(w.files))
	for _, m := range slices.Sorted(maps.Keys(w.modules)) {
		if m != "." {
			set.Modules = append(set.Modules, m)
		}
	}
	return set, nil
}

// Path is the absolute path of one of the set's files.
func (s *FileSet) Path(rel string) string { return filepath.Join(s.Dir, filepath.FromSlash(rel)) }

// Open opens one of the set's files, refusing one that is no longer a
// regular file.
func (s *FileSet) Open(rel string) (*os.File, error) {
	f, err := openRegular(s.Path(rel))
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err == nil && !info.Mode().IsRegular() {
		err = notRegular(s.Path(rel), info.Mode())
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// ConfigFiles are the configuration files the engine reads in the module
// directory mod ("." for the stack), relative to Dir. Terraform ignores
// .tofu files; OpenTofu reads them, and a .tofu file hides the .tf file of
// the same name (a.tofu hides a.tf, a.tofu.json hides a.tf.json).
func (s *FileSet) ConfigFiles(mod, engine string) []string {
	in := map[string]bool{}
	for _, f := range s.Files {
		if path.Dir(f) == path.Clean(mod) && configKind(path.Base(f)) != "" {
			in[f] = true
		}
	}
	var out []string
	for _, f := range s.Files {
		if !in[f] {
			continue
		}
		tofu := strings.HasSuffix(f, ".tofu") || strings.HasSuffix(f, ".tofu.json")
		if engine != EngineOpenTofu && tofu {
			continue
		}
		if engine == EngineOpenTofu && !tofu && in[tofuTwin(f)] {
			continue
		}
		out = append(out, f)
	}
	return out
}

// tofuTwin is the name of the .tofu file that hides a .tf one.
func tofuTwin(f string) string {
	if base, ok := strings.CutSuffix(f, ".tf.json"); ok {
		return base + ".tofu.json"
	}
	return strings.TrimSuffix(f, ".tf") + ".tofu"
}

// configKind is "hcl" or "json" for a configuration file name, "" for any
// other file.
func configKind(name string) string {
	switch {
	case strings.HasPrefix(name, "."):
		return ""
	case strings.HasSuffix(name, ".tf"), strings.HasSuffix(name, ".tofu"):
		return "hcl"
	case strings.HasSuffix(name, ".tf.json"), strings.HasSuffix(name, ".tofu.json"):
		return "json"
	}
	return ""
}

// leftBehind are what Terraform writes into a directory it ran in: never
// part of the stack's code.
var leftBehind = map[string]bool{
	"terraform.tfstate": true, "terraform.tfstate.backup": true, "errored.tfstate": true, "crash.log": true,
}

// readBounded reads a configuration or lock file, refusing one that is
// not a regular file or is larger than MaxTerraformFileSize; the limit
// holds even if the file grows while it is read.
func readBounded(p string) ([]byte, error) {
	f, err := openRegular(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, notRegular(p, info.Mode())
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxTerraformFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxTerraformFileSize {
		return nil, tooLarge(p)
	}
	return b, nil
}

// openRegular opens p, refusing before opening it what is not a regular
// file: opening a named pipe would wait for a writer. Callers check the
// open file again, in case it was replaced in between.
func openRegular(p string) (*os.File, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, notRegular(p, info.Mode())
	}
	return os.Open(p)
}

// ErrNotRegular is wrapped by the error for a stack file that is not a
// regular file (a device, a pipe, a socket).
var ErrNotRegular = errors.New("not a regular file")

func notRegular(p string, mode os.FileMode) error {
	return fmt.Errorf("%s is %s, %w: Terraform reads only regular files and directories; remove it or point the link at a file", p, modeName(mode), ErrNotRegular)
}

func tooLarge(p string) error {
	return fmt.Errorf("%s is larger than %d MiB, more than any configuration file; remove it or rename it so that it does not end in .tf, .tf.json, .tofu or .tofu.json", p, MaxTerraformFileSize>>20)
}

func modeName(m os.FileMode) string {
	switch {
	case m&os.ModeDevice != 0 || m&os.ModeCharDevice != 0:
		return "a device"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	}
	return "not a regular file (" + m.Type().String() + ")"
}
