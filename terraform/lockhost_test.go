package terraform

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const terraformLock = `# This file is maintained automatically by "terraform init".
provider "registry.terraform.io/hashicorp/aws" {
  version     = "1.60.0"
  constraints = "1.60.0"
  hashes = [
    "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
  ]
}

provider "registry.terraform.io/hashicorp/random" {
  version = "2.0.0"
  hashes = [
    "h1:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=",
  ]
}
`

func TestRehostLockMovesTerraformEntriesWithoutChecksums(t *testing.T) {
	out, moved := rehostLock([]byte(terraformLock))
	if !moved {
		t.Fatal("a lock file Terraform wrote was not moved to OpenTofu's registry")
	}
	got := string(out)
	for _, want := range []string{`provider "registry.opentofu.org/hashicorp/aws"`, `version     = "1.60.0"`, `constraints = "1.60.0"`,
		`provider "registry.opentofu.org/hashicorp/random"`, `version = "2.0.0"`} {
		if !strings.Contains(got, want) {
			t.Errorf("the moved lock file lacks %s:\n%s", want, got)
		}
	}
	if strings.Contains(got, "registry.terraform.io") || strings.Contains(got, "h1:") {
		t.Errorf("the moved lock file keeps Terraform's hosts or checksums:\n%s", got)
	}
	if v := lockedVersionsOf(out); v["hashicorp/aws"] != "1.60.0" || v["hashicorp/random"] != "2.0.0" {
		t.Errorf("versions after the move: %v", v)
	}
}

func TestRehostLockLeavesOpenTofuEntries(t *testing.T) {
	both := terraformLock + `
provider "registry.opentofu.org/hashicorp/aws" {
  version = "1.60.0"
  hashes = ["h1:CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC="]
}
provider "registry.opentofu.org/hashicorp/random" {
  version = "2.0.0"
  hashes = ["h1:DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD="]
}
`
	if out, moved := rehostLock([]byte(both)); moved || string(out) != both {
		t.Errorf("a lock file with OpenTofu's entries was changed:\n%s", out)
	}
	if out, moved := rehostLock([]byte("not { hcl")); moved || string(out) != "not { hcl" {
		t.Errorf("a lock file that does not parse was changed: %s", out)
	}
}

// The first OpenTofu run gets the moved file and records checksums
// (writable); once its result is kept, later runs use it read-only, until
// the committed file pins other versions.
func TestOpenTofuLockUsesTheKeptFileWhileItPinsTheSameVersions(t *testing.T) {
	kept := filepath.Join(t.TempDir(), LockFileName)
	lock, writable := openTofuLock([]byte(terraformLock), kept)
	if !writable || !strings.Contains(string(lock), "registry.opentofu.org/hashicorp/aws") {
		t.Fatalf("first run: writable %v, lock:\n%s", writable, lock)
	}
	recorded := strings.Replace(string(lock), `version     = "1.60.0"`, "version     = \"1.60.0\"\n  hashes = [\"h1:EEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEE=\"]", 1)
	if err := os.WriteFile(kept, []byte(recorded), 0o600); err != nil {
		t.Fatal(err)
	}
	if lock, writable = openTofuLock([]byte(terraformLock), kept); writable || string(lock) != recorded {
		t.Errorf("next run: writable %v, want the kept file read-only:\n%s", writable, lock)
	}
	upgraded := strings.ReplaceAll(terraformLock, "1.60.0", "1.61.0")
	if lock, writable = openTofuLock([]byte(upgraded), kept); !writable || !strings.Contains(string(lock), "1.61.0") {
		t.Errorf("after an upgrade of the committed file: writable %v, lock:\n%s", writable, lock)
	}
}
