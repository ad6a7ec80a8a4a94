package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/mod/sumdb/dirhash"
)

// MirrorProviders are the providers offline-providers.sh builds, as
// name → version; the example and the provider tests pin these.
var MirrorProviders = map[string]string{"aws": "1.60.0", "random": "2.0.0", "null": "1.0.0", "local": "1.4.0"}

// Mirror is a filesystem mirror of real providers and the Terraform CLI
// config that points Terraform and OpenTofu at it.
type Mirror struct {
	Dir       string // TFREBUILD_PROVIDER_MIRROR
	CLIConfig string // TFREBUILD_PROVIDER_CLIRC
}

// FindMirror finds the provider mirror: from TFREBUILD_PROVIDER_MIRROR and
// TFREBUILD_PROVIDER_CLIRC, else in the scripts' cache when a complete
// build is there. It checks that every pinned provider is in it, so that a
// half-built mirror is reported here and not as an init failure later.
func FindMirror() (Mirror, error) {
	m := Mirror{Dir: os.Getenv(envProviderMirror), CLIConfig: os.Getenv(envProviderCLIRC)}
	if m.Dir == "" && m.CLIConfig == "" {
		cache := toolsCache()
		m = Mirror{Dir: filepath.Join(cache, "mirror"), CLIConfig: filepath.Join(cache, "offline.tfrc")}
		if cache == "" || !exists(m.CLIConfig) {
			return Mirror{}, missing("real provider mirror", providersScript,
				envProviderMirror+" and "+envProviderCLIRC+" are not set and no mirror is cached")
		}
	}
	if m.Dir == "" || m.CLIConfig == "" {
		return Mirror{}, missing("real provider mirror", providersScript,
			"set both "+envProviderMirror+" and "+envProviderCLIRC)
	}
	if !exists(m.CLIConfig) {
		return Mirror{}, missing("provider CLI config", providersScript, m.CLIConfig+" does not exist")
	}
	for name, version := range MirrorProviders {
		dir := filepath.Join(m.Dir, "registry.terraform.io", "hashicorp", name, version, "linux_amd64")
		bin := filepath.Join(dir, fmt.Sprintf("terraform-provider-%s_v%s", name, version))
		if !exists(bin) {
			return Mirror{}, missing("provider "+name+" "+version, providersScript, bin+" is missing")
		}
	}
	return m, nil
}

// ProviderMirror returns the mirror for a test that runs real providers.
// Without one it fails under CI=true and skips elsewhere, saying to run
// ../shared/tools/offline-providers.sh.
func ProviderMirror(t testing.TB) Mirror {
	t.Helper()
	m, err := FindMirror()
	if err != nil {
		requireTool(t, err)
	}
	return m
}

// UseMirror points the environment's Terraform CLI config at the mirror:
// its provider_installation block, and nothing else of the machine's.
func (e *Env) UseMirror(m Mirror) error {
	block, err := os.ReadFile(m.CLIConfig)
	if err != nil {
		return fmt.Errorf("read the provider CLI config: %w", err)
	}
	cli := filepath.Join(e.Dir, "terraformrc")
	text := "disable_checkpoint = true\n\n" + string(block)
	if err := os.WriteFile(cli, []byte(text), 0o644); err != nil {
		return fmt.Errorf("write the test's Terraform CLI config: %w", err)
	}
	e.Vars["TF_CLI_CONFIG_FILE"] = cli
	return nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// Hash is the h1: checksum Terraform records in a lock file for one of the
// mirror's providers (registry.terraform.io/hashicorp/NAME, linux_amd64):
// the hash of the unpacked package folder.
func (m Mirror) Hash(name, version string) (string, error) {
	dir := filepath.Join(m.Dir, "registry.terraform.io", "hashicorp", name, version, "linux_amd64")
	return dirhash.HashDir(dir, "", dirhash.DefaultHash)
}
