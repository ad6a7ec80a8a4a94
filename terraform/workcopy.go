package terraform

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// LockFileName is Terraform's dependency lock file.
const LockFileName = ".terraform.lock.hcl"

// Terraform writes into the directory it runs in: errored.tfstate when it
// cannot save state, .terraform.lock.hcl when a stack has none, crash.log.
// Blue and green share a source directory, and the source tree is the
// user's, so Terraform never runs there: it runs in a working copy inside
// the stack's work folder.
//
// The copy holds exactly the stack's file set (Stack.Files, listed by the
// caller; this package does not walk the source) and keeps relative paths
// valid: its root stands for the smallest directory that holds the stack
// and every local module it calls (../modules/x, recursively). Files are
// copied, never linked, so that nothing written through path.module
// reaches the source and a module reached through a directory symlink is
// an ordinary directory in the copy.

// workCopy lays out the working copy of the stack in stackDir, whose files
// are files (slash paths relative to stackDir), under dst and returns the
// directory Terraform runs in. dst is replaced. lock, when not empty, is
// the lock file to place there (the stack's committed one, or the one a
// previous run generated).
func workCopy(stackDir string, files []string, dst string, lock []byte) (string, error) {
	if len(files) == 0 {
		return "", fmt.Errorf("no files listed for the stack in %s: the caller lists its file set (config.StackFiles) in Stack.Files", stackDir)
	}
	stackDir, err := filepath.Abs(stackDir)
	if err != nil {
		return "", err
	}
	root := stackDir
	for _, f := range files {
		root = commonDir(root, filepath.Dir(filepath.Join(stackDir, filepath.FromSlash(f))))
	}
	if err := os.RemoveAll(dst); err != nil {
		return "", fmt.Errorf("clear the working copy %s: %w", dst, err)
	}
	for _, f := range files {
		if f == LockFileName {
			continue // placed on purpose below
		}
		src := filepath.Join(stackDir, filepath.FromSlash(f))
		rel, err := filepath.Rel(root, src)
		if err != nil {
			return "", err
		}
		if err := copyFile(src, filepath.Join(dst, rel)); err != nil {
			return "", fmt.Errorf("copy %s into the working copy: %w", src, err)
		}
	}
	rel, err := filepath.Rel(root, stackDir)
	if err != nil {
		return "", err
	}
	out := filepath.Join(dst, rel)
	if err := os.MkdirAll(out, 0o700); err != nil {
		return "", err
	}
	if len(lock) > 0 {
		if err := writeFile(filepath.Join(out, LockFileName), lock); err != nil {
			return "", err
		}
	}
	return out, nil
}

// copyFile copies a regular file; anything else is refused before it is
// opened (opening a named pipe would wait for a writer).
func copyFile(src, dst string) error {
	if info, err := os.Stat(src); err == nil && !info.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file (%s); Terraform reads only regular files: remove it", src, info.Mode().Type())
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file (%s); Terraform reads only regular files: remove it", src, info.Mode().Type())
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, info.Mode().Perm()|0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	return errors.Join(err, out.Close())
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
