package terraform

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"golang.org/x/mod/sumdb/dirhash"
)

// Terraform's plugin cache is not safe for concurrent writes: an init
// that installs a provider into it replaces files that another stack's
// init (or apply) is using. An init only reads it when the stack's lock
// file pins every provider and the cache holds each at the locked version,
// with a checksum the lock file lists: Terraform then links the cached
// package and writes nothing there. Such inits run at once; any other
// init runs alone.

// initGate orders inits: shared for those that only read the plugin
// cache, exclusive for the others.
type initGate struct {
	mu     sync.RWMutex
	hashMu sync.Mutex
	hashes map[string]string // package dir + its files' sizes and times → h1 checksum
}

// initSlot takes the right to run h's init and returns its release.
func (r *Runner) initSlot(h *handle) func() {
	g := &r.inits
	if r.readsCacheOnly(h) {
		g.mu.RLock()
		return g.mu.RUnlock
	}
	g.mu.Lock()
	// An init that ran meanwhile may have installed what this one needs.
	if r.readsCacheOnly(h) {
		g.mu.Unlock()
		g.mu.RLock()
		return g.mu.RUnlock
	}
	return g.mu.Unlock
}

// readsCacheOnly reports whether h's init leaves the shared plugin cache
// alone: it uses a cache of its own, or every provider its lock file
// pins is in the shared cache, verified against the lock file.
func (r *Runner) readsCacheOnly(h *handle) bool {
	cache := h.env["TF_PLUGIN_CACHE_DIR"]
	switch {
	case cache == "":
		return false // Terraform may fall back to the user's plugin_cache_dir
	case cache != r.PluginCache:
		return cache == h.wd.OwnPluginCache()
	}
	lock, err := os.ReadFile(filepath.Join(h.dir, LockFileName))
	if err != nil {
		return false
	}
	pins := lockPins(lock)
	if len(pins) == 0 {
		return false
	}
	for _, p := range pins {
		dir := filepath.Join(cache, filepath.FromSlash(p.address), p.version, runtime.GOOS+"_"+runtime.GOARCH)
		if sum := r.inits.packageHash(dir); sum == "" || !slices.Contains(p.hashes, sum) {
			return false
		}
	}
	return true
}

// pin is one provider block of a lock file.
type pin struct {
	address, version string
	hashes           []string
}

// lockPins reads a lock file's provider blocks; nil when it does not parse.
func lockPins(data []byte) []pin {
	f, diags := hclsyntax.ParseConfig(data, LockFileName, hcl.InitialPos)
	if diags.HasErrors() {
		return nil
	}
	content, _, _ := f.Body.PartialContent(lockSchema)
	var out []pin
	for _, b := range content.Blocks {
		attrs, _ := b.Body.JustAttributes()
		p := pin{address: strings.ToLower(b.Labels[0])}
		if a := attrs["version"]; a != nil {
			if v, d := a.Expr.Value(nil); !d.HasErrors() && v.Type() == cty.String {
				p.version = v.AsString()
			}
		}
		if a := attrs["hashes"]; a != nil {
			if v, d := a.Expr.Value(nil); !d.HasErrors() && v.CanIterateElements() {
				for _, e := range v.AsValueSlice() {
					if e.Type() == cty.String {
						p.hashes = append(p.hashes, e.AsString())
					}
				}
			}
		}
		if p.version == "" {
			return nil
		}
		out = append(out, p)
	}
	return out
}

// packageHash is the h1 checksum of an unpacked provider package, as
// Terraform computes it; "" when dir is not one. It is computed once per
// run for the same files.
func (g *initGate) packageHash(dir string) string {
	sig, ok := dirSignature(dir)
	if !ok {
		return ""
	}
	g.hashMu.Lock()
	defer g.hashMu.Unlock()
	if sum, ok := g.hashes[sig]; ok {
		return sum
	}
	sum, err := dirhash.HashDir(dir, "", dirhash.Hash1)
	if err != nil {
		return ""
	}
	if g.hashes == nil {
		g.hashes = map[string]string{}
	}
	g.hashes[sig] = sum
	return sum
}

// dirSignature names dir and the size and time of each file in it.
func dirSignature(dir string) (string, bool) {
	var b strings.Builder
	b.WriteString(dir)
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "\x00%s\x00%d\x00%d", p, info.ModTime().UnixNano(), info.Size())
		return nil
	})
	return b.String(), err == nil && b.Len() > len(dir)
}
