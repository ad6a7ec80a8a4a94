package terraform

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
)

// LockFileName is Terraform's dependency lock file.
const LockFileName = ".terraform.lock.hcl"

// Terraform writes into the directory it runs in: errored.tfstate when it
// cannot save state, .terraform.lock.hcl when a stack has none, crash.log.
// Blue and green share a source directory, and the source tree is the
// user's, so Terraform never runs there: it runs in a working copy inside
// the stack's work folder.
//
// The copy keeps relative paths valid. Its root stands for the smallest
// directory that holds the stack and every local module it calls
// (../modules/x, recursively). The stack's own directory is copied (so
// that nothing written through path.module can reach the source); every
// other entry on the way from that root to the stack is a symlink to the
// source, which Terraform only reads.

// workCopy lays out the working copy of stackDir under dst and returns the
// directory Terraform runs in. dst is replaced. lock, when not empty, is
// the lock file to place there (the stack's committed one, or the one a
// previous run generated).
func workCopy(stackDir, dst string, lock []byte) (string, error) {
	stackDir, err := filepath.Abs(stackDir)
	if err != nil {
		return "", err
	}
	dirs, err := localModules(stackDir)
	if err != nil {
		return "", err
	}
	root := stackDir
	for _, d := range dirs {
		root = commonDir(root, d)
	}
	if err := os.RemoveAll(dst); err != nil {
		return "", fmt.Errorf("clear the working copy %s: %w", dst, err)
	}
	rel, err := filepath.Rel(root, stackDir)
	if err != nil {
		return "", err
	}
	// Mirror each level from the root down to the stack: real directories
	// of ours, with links to everything else that lives beside them.
	src, out := root, dst
	for _, part := range append(strings.Split(rel, string(filepath.Separator)), "") {
		if part == "." {
			continue
		}
		if err := os.MkdirAll(out, 0o700); err != nil {
			return "", err
		}
		if part == "" {
			break
		}
		if err := linkEntries(src, out, part); err != nil {
			return "", err
		}
		src, out = filepath.Join(src, part), filepath.Join(out, part)
	}
	if err := copyTree(stackDir, out); err != nil {
		return "", fmt.Errorf("copy %s into its working copy: %w", stackDir, err)
	}
	if len(lock) > 0 {
		if err := writeFile(filepath.Join(out, LockFileName), lock); err != nil {
			return "", err
		}
	}
	return out, nil
}

// linkEntries links every entry of src into out, except skip.
func linkEntries(src, out, skip string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Name() == skip {
			continue
		}
		if err := os.Symlink(filepath.Join(src, e.Name()), filepath.Join(out, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// skipInCopy are what Terraform leaves in a directory it ran in: never
// part of the stack's code, and the lock file is placed on purpose.
var skipInCopy = map[string]bool{
	".terraform": true, LockFileName: true, "errored.tfstate": true, "crash.log": true,
	"terraform.tfstate": true, "terraform.tfstate.backup": true, ".git": true,
}

// copyTree copies the regular files and directories of src into dst.
// Symlinks are recreated pointing at what they resolve to in the source.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if rel != "." && filepath.Dir(rel) == "." && skipInCopy[d.Name()] {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o700)
		case d.Type()&fs.ModeSymlink != 0:
			real, err := filepath.EvalSymlinks(path)
			if err != nil {
				return nil // a dangling link in the source: Terraform would not read it either
			}
			return os.Symlink(real, target)
		case d.Type().IsRegular():
			return copyFile(path, target)
		}
		return nil
	})
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, info.Mode().Perm()|0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	return errors.Join(err, out.Close())
}

// localModules returns the directories of the local modules a stack calls,
// directly or through other local modules. Registry and git sources are
// fetched by init into the data dir and need nothing here.
func localModules(stackDir string) ([]string, error) {
	seen := map[string]bool{stackDir: true}
	var out []string
	queue := []string{stackDir}
	for len(queue) > 0 {
		dir := queue[0]
		queue = queue[1:]
		sources, err := moduleSources(dir)
		if err != nil {
			return nil, err
		}
		for _, s := range sources {
			if !strings.HasPrefix(s, "./") && !strings.HasPrefix(s, "../") {
				continue
			}
			d := filepath.Clean(filepath.Join(dir, s))
			if !seen[d] {
				seen[d] = true
				out = append(out, d)
				queue = append(queue, d)
			}
		}
	}
	return out, nil
}

var moduleSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "module", LabelNames: []string{"name"}}}}

// moduleSources reads the literal source of each module block in a
// directory's .tf and .tf.json files. Files that do not parse are left to
// Terraform, which reports them with their position.
func moduleSources(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read module directory %s: %w", dir, err)
	}
	p := hclparse.NewParser()
	var out []string
	for _, e := range entries {
		name := filepath.Join(dir, e.Name())
		var f *hcl.File
		switch {
		case e.IsDir():
			continue
		case strings.HasSuffix(name, ".tf"):
			f, _ = p.ParseHCLFile(name)
		case strings.HasSuffix(name, ".tf.json"):
			f, _ = p.ParseJSONFile(name)
		}
		if f == nil {
			continue
		}
		content, _, _ := f.Body.PartialContent(moduleSchema)
		for _, b := range content.Blocks {
			attrs, _ := b.Body.JustAttributes()
			if a := attrs["source"]; a != nil {
				if v, diags := a.Expr.Value(nil); !diags.HasErrors() && v.Type().FriendlyName() == "string" && v.IsKnown() && !v.IsNull() {
					out = append(out, v.AsString())
				}
			}
		}
	}
	return out, nil
}

// commonDir is the deepest directory that holds both a and b.
func commonDir(a, b string) string {
	for {
		if rel, err := filepath.Rel(a, b); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return a
		}
		parent := filepath.Dir(a)
		if parent == a {
			return a
		}
		a = parent
	}
}
