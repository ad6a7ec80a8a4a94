package terraform

import (
	"os"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// A lock file written by Terraform names its providers under
// registry.terraform.io; OpenTofu looks them up under registry.opentofu.org
// and its read-only init refuses such a file ("Provider dependency changes
// detected"), so a team that switches engines on the bad day could not
// run a single stack. OpenTofu's own answer, in a writable init, is to move
// the entries to its host with the same versions but not the checksums:
// OpenTofu's builds of a provider are not byte-for-byte HashiCorp's. The
// working copy gets that lock file (rehostLock), init records OpenTofu's
// checksums, and the result is kept in the work folder and used read-only
// by later runs while it pins the same versions as the committed file.

const (
	terraformRegistry = "registry.terraform.io/"
	opentofuRegistry  = "registry.opentofu.org/"
)

// rehostLock moves a lock file's registry.terraform.io entries that
// OpenTofu has no entry for to registry.opentofu.org, with their version
// and constraints and without their checksums. It reports whether it moved
// any; a file it cannot parse is returned as it is (init says what is wrong).
func rehostLock(lock []byte) ([]byte, bool) {
	f, diags := hclwrite.ParseConfig(lock, LockFileName, hcl.InitialPos)
	if diags.HasErrors() {
		return lock, false
	}
	have := map[string]bool{}
	for _, b := range f.Body().Blocks() {
		if l := b.Labels(); b.Type() == "provider" && len(l) == 1 {
			have[strings.ToLower(l[0])] = true
		}
	}
	moved := false
	for _, b := range f.Body().Blocks() {
		l := b.Labels()
		if b.Type() != "provider" || len(l) != 1 || !strings.HasPrefix(strings.ToLower(l[0]), terraformRegistry) {
			continue
		}
		to := opentofuRegistry + l[0][len(terraformRegistry):]
		if have[strings.ToLower(to)] {
			continue
		}
		b.SetLabels([]string{to})
		b.Body().RemoveAttribute("hashes")
		moved = true
	}
	if !moved {
		return lock, false
	}
	return f.Bytes(), true
}

// openTofuLock is the lock file OpenTofu's init gets from a stack's
// committed one, and whether init must record checksums (writable). The
// one kept in the work folder by an earlier run is used when it pins the
// same versions; a committed file with OpenTofu's entries is used as it is.
func openTofuLock(committed []byte, kept string) ([]byte, bool) {
	rehosted, moved := rehostLock(committed)
	if !moved {
		return committed, false
	}
	if k, err := os.ReadFile(kept); err == nil && samePins(k, committed) {
		if _, again := rehostLock(k); !again {
			return k, false
		}
	}
	return rehosted, true
}

// samePins reports whether two lock files pin the same provider versions,
// whatever registry host they name.
func samePins(a, b []byte) bool {
	va, vb := lockedVersionsOf(a), lockedVersionsOf(b)
	if len(va) != len(vb) || len(va) == 0 {
		return false
	}
	for k, v := range va {
		if vb[k] != v {
			return false
		}
	}
	return true
}
