package config

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
)

// walker collects a stack's file set (StackFiles). Paths are lexical,
// relative to root, as Terraform joins a module's source to its caller's
// directory; real (symlink-resolved) paths only detect loops.
type walker struct {
	root    string
	files   map[string]bool
	modules map[string]bool
}

// module adds the files of the module directory rel and then the modules
// it calls. callers are the real directories of the modules that led here.
func (w *walker) module(rel string, callers []string) error {
	if w.modules[rel] {
		return nil
	}
	w.modules[rel] = true
	dir := filepath.Join(w.root, filepath.FromSlash(rel))
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return fmt.Errorf("local module %s: %w; fix its source or create the directory", dir, err)
	}
	if slices.Contains(callers, real) {
		return fmt.Errorf("local module %s calls itself (it is %s, which one of its callers is): a module loop Terraform cannot load; fix its source", dir, real)
	}
	var sources []string
	if err := w.dir(rel, []string{real}, &sources); err != nil {
		return err
	}
	slices.Sort(sources)
	for _, src := range sources {
		if err := w.module(path.Clean(path.Join(rel, src)), append(slices.Clip(callers), real)); err != nil {
			return err
		}
	}
	return nil
}

// dir adds the files of one directory, recursing into subdirectories
// (through symlinks: ancestors are the real directories above, a loop
// among them is refused). sources, non-nil at a module's top level, gets
// the local module sources of its configuration files.
func (w *walker) dir(rel string, ancestors []string, sources *[]string) error {
	abs := filepath.Join(w.root, filepath.FromSlash(rel))
	entries, err := os.ReadDir(abs)
	if err != nil {
		return fmt.Errorf("read %s: %w", abs, err)
	}
	for _, e := range entries {
		name, p := e.Name(), filepath.Join(abs, e.Name())
		if strings.HasPrefix(name, ".") && !(name == LockFileName && rel == ".") || leftBehind[name] {
			continue
		}
		info, err := os.Stat(p)
		switch {
		case err != nil && configKind(name) == "" && e.Type()&os.ModeSymlink != 0:
			continue // a dangling link to no configuration: Terraform does not read it either
		case err != nil:
			return fmt.Errorf("stack file %s: %w", p, err)
		case info.IsDir():
			if err := w.subdir(path.Join(rel, name), p, ancestors); err != nil {
				return err
			}
			continue
		case !info.Mode().IsRegular():
			return notRegular(p, info.Mode())
		}
		w.files[path.Join(rel, name)] = true
		if configKind(name) == "" && name != LockFileName {
			continue
		}
		if info.Size() > MaxTerraformFileSize {
			return tooLarge(p)
		}
		if sources != nil && configKind(name) != "" {
			src, err := readBounded(p)
			if err != nil {
				return err
			}
			*sources = append(*sources, localSources(src, p, configKind(name))...)
		}
	}
	return nil
}

// subdir walks a subdirectory unless its real path is one of its
// ancestors: a symlink loop.
func (w *walker) subdir(rel, p string, ancestors []string) error {
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return fmt.Errorf("stack directory %s: %w", p, err)
	}
	if slices.Contains(ancestors, real) {
		return fmt.Errorf("%s is a symlink loop (it leads back to %s); Terraform would not finish reading it: remove the link", p, real)
	}
	return w.dir(rel, append(slices.Clip(ancestors), real), nil)
}

var moduleCallSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "module", LabelNames: []string{"name"}}}}

// localSources are the literal sources of a file's module blocks that
// start with ./ or ../. A file that does not parse is left to inspection,
// which reports it with its position.
func localSources(src []byte, name, kind string) []string {
	var f *hcl.File
	if kind == "json" {
		f, _ = hcljson.Parse(src, name)
	} else {
		f, _ = hclsyntax.ParseConfig(src, name, hcl.InitialPos)
	}
	if f == nil || f.Body == nil {
		return nil
	}
	content, _, _ := f.Body.PartialContent(moduleCallSchema)
	var out []string
	for _, b := range content.Blocks {
		attrs, _ := b.Body.JustAttributes()
		if s, ok := literalString(attrs["source"]); ok && (strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../")) {
			out = append(out, strings.TrimSuffix(s, "/"))
		}
	}
	return out
}

// literalString is the value of an attribute that is a literal string.
func literalString(a *hcl.Attribute) (string, bool) {
	if a == nil {
		return "", false
	}
	v, d := a.Expr.Value(nil)
	if d.HasErrors() || !v.IsKnown() || v.IsNull() || !v.Type().Equals(ctyString) {
		return "", false
	}
	return v.AsString(), true
}
