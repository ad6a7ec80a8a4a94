package readiness

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclparse"
)

// Provider is one provider a stack's lock file pins.
type Provider struct {
	// Address is the full source address: registry.terraform.io/hashicorp/aws.
	Address string
	Version string
	// Stacks are the stacks whose lock files pin it.
	Stacks []string
}

// LockedProviders reads the .terraform.lock.hcl of each stack directory
// (by stack name), merging the same provider and version across stacks.
// A stack without a lock file is reported in missing.
func LockedProviders(dirs map[string]string) (out []Provider, missing []string, err error) {
	byKey := map[string]*Provider{}
	names := make([]string, 0, len(dirs))
	for n := range dirs {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, stack := range names {
		path := filepath.Join(dirs[stack], ".terraform.lock.hcl")
		if _, statErr := os.Stat(path); os.IsNotExist(statErr) {
			missing = append(missing, stack)
			continue
		}
		f, diags := hclparse.NewParser().ParseHCLFile(path)
		if diags.HasErrors() {
			return nil, nil, fmt.Errorf("read lock file %s: %s", path, diags.Error())
		}
		var lock struct {
			Providers []struct {
				Address string   `hcl:"address,label"`
				Version string   `hcl:"version"`
				Rest    hcl.Body `hcl:",remain"`
			} `hcl:"provider,block"`
			Rest hcl.Body `hcl:",remain"`
		}
		if diags := gohcl.DecodeBody(f.Body, nil, &lock); diags.HasErrors() {
			return nil, nil, fmt.Errorf("read lock file %s: %s", path, diags.Error())
		}
		for _, p := range lock.Providers {
			key := p.Address + "@" + p.Version
			if byKey[key] == nil {
				byKey[key] = &Provider{Address: p.Address, Version: p.Version}
			}
			byKey[key].Stacks = append(byKey[key].Stacks, stack)
		}
	}
	for _, p := range byKey {
		out = append(out, *p)
	}
	slices.SortFunc(out, func(a, b Provider) int { return strings.Compare(a.Address+a.Version, b.Address+b.Version) })
	return out, missing, nil
}

// ProviderDirs are where the engine finds providers without a download:
// the CLI configuration's filesystem mirrors and plugin caches.
type ProviderDirs struct {
	Mirrors []string
	Caches  []string
}

// CLIProviderDirs reads the CLI configuration file (TF_CLI_CONFIG_FILE,
// else ~/.terraformrc; "" or a missing file has none) for its
// filesystem_mirror paths and plugin_cache_dir, and adds the plugin cache
// of TF_PLUGIN_CACHE_DIR and tfrebuild's own (ownCache).
func CLIProviderDirs(path, envCache, ownCache string) (ProviderDirs, error) {
	var d ProviderDirs
	for _, c := range []string{envCache, ownCache} {
		if c != "" {
			d.Caches = append(d.Caches, c)
		}
	}
	if path == "" {
		return d, nil
	}
	if _, err := os.Stat(path); os.IsNotExist(err) {
		return d, nil
	}
	f, diags := hclparse.NewParser().ParseHCLFile(path)
	if diags.HasErrors() {
		return d, fmt.Errorf("read CLI configuration %s: %s", path, diags.Error())
	}
	var cli struct {
		PluginCacheDir string `hcl:"plugin_cache_dir,optional"`
		Installation   []struct {
			Mirrors []struct {
				Path string   `hcl:"path"`
				Rest hcl.Body `hcl:",remain"`
			} `hcl:"filesystem_mirror,block"`
			Rest hcl.Body `hcl:",remain"`
		} `hcl:"provider_installation,block"`
		Rest hcl.Body `hcl:",remain"`
	}
	if diags := gohcl.DecodeBody(f.Body, nil, &cli); diags.HasErrors() {
		return d, fmt.Errorf("read CLI configuration %s: %s", path, diags.Error())
	}
	if cli.PluginCacheDir != "" {
		d.Caches = append(d.Caches, cli.PluginCacheDir)
	}
	for _, in := range cli.Installation {
		for _, m := range in.Mirrors {
			d.Mirrors = append(d.Mirrors, m.Path)
		}
	}
	return d, nil
}

// platform is the engine's OS_ARCH on this machine.
var platform = runtime.GOOS + "_" + runtime.GOARCH

// findProvider returns where the provider is on disk, or "": a mirror
// holds it unpacked (ADDRESS/VERSION/OS_ARCH/) or packed
// (ADDRESS/terraform-provider-TYPE_VERSION_OS_ARCH.zip); a plugin cache
// unpacked.
func findProvider(p Provider, d ProviderDirs) string {
	typ := p.Address[strings.LastIndex(p.Address, "/")+1:]
	addr := filepath.FromSlash(p.Address)
	var candidates []string
	for _, m := range d.Mirrors {
		candidates = append(candidates, filepath.Join(m, addr, p.Version, platform),
			filepath.Join(m, addr, fmt.Sprintf("terraform-provider-%s_%s_%s.zip", typ, p.Version, platform)))
	}
	for _, c := range d.Caches {
		candidates = append(candidates, filepath.Join(c, addr, p.Version, platform))
	}
	for _, c := range candidates {
		if _, err := os.Stat(c); err == nil {
			return c
		}
	}
	return ""
}

// CheckProviders checks that every locked provider is in a mirror or a
// plugin cache, one check per provider and version.
func CheckProviders(list []Provider, missingLocks []string, d ProviderDirs) []Check {
	var out []Check
	for _, p := range list {
		c := Check{Name: "provider." + p.Address + "@" + p.Version}
		if at := findProvider(p, d); at != "" {
			c.Verdict, c.Found = OK, fmt.Sprintf("%s %s for %s is at %s (stacks %s)", p.Address, p.Version, platform, at, strings.Join(p.Stacks, ", "))
		} else {
			c.Verdict = Fail
			c.Found = fmt.Sprintf("%s %s for %s is in no filesystem mirror (%s) nor plugin cache (%s) (stacks %s): init would have to download it",
				p.Address, p.Version, platform, orNone(d.Mirrors), orNone(d.Caches), strings.Join(p.Stacks, ", "))
			c.Do = fmt.Sprintf("terraform providers mirror -platform=%s MIRROR_DIR (in a stack directory, where the registry is reachable), then copy MIRROR_DIR to a filesystem_mirror path", platform)
		}
		out = append(out, c)
	}
	for _, s := range missingLocks {
		out = append(out, Check{Name: "provider.lock." + s, Verdict: Warn,
			Found: "stack " + s + " has no .terraform.lock.hcl: which providers it needs is unknown until init",
			Do:    "terraform init in its source directory and commit .terraform.lock.hcl"})
	}
	return out
}

func orNone(list []string) string {
	if len(list) == 0 {
		return "none configured"
	}
	return strings.Join(list, ", ")
}
