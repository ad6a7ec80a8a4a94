package terraform

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/go-version"
)

// An object a stack must adopt before it applies (a table a restore
// brought back) is imported by the stack's own apply, as an import block
// (Terraform 1.5 and later, OpenTofu 1.6 and later), instead of by a
// `terraform import` process of its own before it: one process, one
// refresh and one state lock fewer on the critical path of a recovery.
// Older engines get the separate import first, as before.

// Import is an object the stack's apply adopts at Address, by its import ID.
type Import struct {
	Address string
	ID      string
}

// ImportFileName is the file, in the stack's working copy only, that holds
// the import blocks of an apply.
const ImportFileName = "tfrebuild_imports.tf"

// importBlockSince are the first versions whose plan and apply take import
// blocks.
var importBlockSince = map[string]string{EngineTerraform: "1.5.0", EngineOpenTofu: "1.6.0"}

// ImportBlocks reports whether the engine adopts objects in its apply
// (import blocks); otherwise Apply runs an import per object first.
func (b *Binary) ImportBlocks() bool {
	if b == nil {
		return false
	}
	engine := b.Engine
	if engine == "" {
		engine = EngineTerraform
	}
	got, err := version.NewVersion(b.Version)
	since, ok := importBlockSince[engine]
	return err == nil && ok && !got.LessThan(version.Must(version.NewVersion(since)))
}

// importBlocks renders imports as Terraform import blocks.
func importBlocks(imports []Import) string {
	var b strings.Builder
	b.WriteString("# Written by tfrebuild for one apply: the objects this stack adopts.\n")
	for _, im := range imports {
		fmt.Fprintf(&b, "\nimport {\n  to = %s\n  id = %s\n}\n", im.Address, hclString(im.ID))
	}
	return b.String()
}

// hclString quotes s as an HCL string literal with no interpolation.
func hclString(s string) string {
	q := fmt.Sprintf("%q", s)
	return strings.NewReplacer("${", "$${", "%{", "%%{").Replace(q)
}

// placeImports writes the stack's import blocks into its working copy, or
// removes a file an earlier apply left; with an engine too old for import
// blocks it runs an import per object not in the state instead.
func (r *Runner) placeImports(ctx context.Context, h *handle) error {
	path := filepath.Join(h.dir, ImportFileName)
	s := h.stack
	if len(s.Imports) == 0 || h.wrapped {
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			return err
		}
		return nil
	}
	if slices.Contains(s.Files, ImportFileName) {
		return fmt.Errorf("stack %s: it has a file named %s, which tfrebuild writes into its working copy to import %s; rename that file",
			s.Name, ImportFileName, s.Imports[0].Address)
	}
	if r.Binary.ImportBlocks() {
		return writeFile(path, []byte(importBlocks(s.Imports)))
	}
	for _, im := range s.Imports {
		args := importOptions{LockTimeout: r.lockTimeout(), VarFiles: varFiles(h), Address: im.Address, ID: im.ID, Locking: h.locking()}.args()
		if err := r.command(ctx, h, "import "+im.Address, h.log, args); err != nil {
			return r.fail(h, "import "+im.Address, err)
		}
	}
	return nil
}
