package terraform

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"golang.org/x/mod/sumdb/dirhash"
)

// cachedProvider puts a provider package into cache and returns its h1
// checksum.
func cachedProvider(t *testing.T, cache, address, version string) string {
	t.Helper()
	dir := filepath.Join(cache, address, version, runtime.GOOS+"_"+runtime.GOARCH)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "terraform-provider-x_v"+version), []byte("binary of "+address), 0o755); err != nil {
		t.Fatal(err)
	}
	sum, err := dirhash.HashDir(dir, "", dirhash.Hash1)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// slotHandle is a stack whose working copy has lock as its lock file and
// whose init would use cache.
func slotHandle(t *testing.T, cache, lock string) *handle {
	t.Helper()
	dir := t.TempDir()
	if lock != "" {
		if err := os.WriteFile(filepath.Join(dir, LockFileName), []byte(lock), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return &handle{wd: Workdir(t.TempDir()), dir: dir, env: map[string]string{"TF_PLUGIN_CACHE_DIR": cache}}
}

func TestInitReadsTheCacheOnlyWhenEveryPinIsVerified(t *testing.T) {
	cache := t.TempDir()
	r := &Runner{PluginCache: cache}
	aws := cachedProvider(t, cache, "registry.terraform.io/hashicorp/aws", "1.60.0")
	random := cachedProvider(t, cache, "registry.terraform.io/hashicorp/random", "2.0.0")
	lock := func(awsHash, randomVersion string) string {
		return `provider "registry.terraform.io/hashicorp/aws" {
  version = "1.60.0"
  hashes  = ["zh:0000", "` + awsHash + `"]
}
provider "registry.terraform.io/hashicorp/random" {
  version = "` + randomVersion + `"
  hashes  = ["` + random + `"]
}
`
	}
	for _, c := range []struct {
		name string
		h    *handle
		want bool
	}{
		{"every pin cached and verified", slotHandle(t, cache, lock(aws, "2.0.0")), true},
		{"a checksum the lock file does not list", slotHandle(t, cache, lock("h1:AAAA", "2.0.0")), false},
		{"a locked version not in the cache", slotHandle(t, cache, lock(aws, "2.1.0")), false},
		{"no lock file", slotHandle(t, cache, ""), false},
		{"a lock file that does not parse", slotHandle(t, cache, "provider {"), false},
		{"the user's own cache (none of tfrebuild's)", slotHandle(t, "", lock(aws, "2.0.0")), false},
	} {
		if got := r.readsCacheOnly(c.h); got != c.want {
			t.Errorf("%s: reads the cache only %v, want %v", c.name, got, c.want)
		}
	}
	own := slotHandle(t, "", "")
	own.env["TF_PLUGIN_CACHE_DIR"] = own.wd.OwnPluginCache()
	if !r.readsCacheOnly(own) {
		t.Error("a stack with a plugin cache of its own leaves the shared one alone")
	}
}

// Two inits that only read the cache hold the slot at once; an init that
// may write it waits for them.
func TestInitSlotsShareOnlyWhatIsVerified(t *testing.T) {
	cache := t.TempDir()
	r := &Runner{PluginCache: cache}
	sum := cachedProvider(t, cache, "registry.terraform.io/hashicorp/null", "1.0.0")
	lock := `provider "registry.terraform.io/hashicorp/null" {
  version = "1.0.0"
  hashes  = ["` + sum + `"]
}
`
	release1 := r.initSlot(slotHandle(t, cache, lock))
	release2 := r.initSlot(slotHandle(t, cache, lock)) // would deadlock if exclusive
	if r.inits.mu.TryLock() {
		t.Fatal("an init that may write the cache got the slot while two others read it")
	}
	release1()
	release2()
	release3 := r.initSlot(slotHandle(t, cache, ""))
	if r.inits.mu.TryRLock() {
		t.Fatal("an init got the slot beside one that may write the cache")
	}
	release3()
}
