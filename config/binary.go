package config

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/hashicorp/hcl/v2"
)

// binaryPath resolves terraform.path against the config directory and
// checks that it is an executable file: a wrong path found at 3 a.m. by
// the first stack is a wasted preflight.
func (p *parser) binaryPath(a *hcl.Attribute) string {
	rel := p.str(a)
	if rel == "" {
		return ""
	}
	path := rel
	if !filepath.IsAbs(path) {
		path = filepath.Join(p.cfg.Dir, filepath.FromSlash(rel))
	}
	path = filepath.Clean(path)
	st, err := os.Stat(path)
	switch {
	case err != nil || !st.Mode().IsRegular():
		p.add(errorAt(a.Expr.Range(), "Engine binary not found",
			fmt.Sprintf("path %q is not a file (looked at %s); path is relative to the config file.", rel, path)))
	case st.Mode().Perm()&0o111 == 0:
		p.add(errorAt(a.Expr.Range(), "Engine binary not executable",
			fmt.Sprintf("%s is not executable; chmod +x it.", path)))
	}
	return path
}
