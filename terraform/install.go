package terraform

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/go-version"
	install "github.com/hashicorp/hc-install"
	"github.com/hashicorp/hc-install/fs"
	"github.com/hashicorp/hc-install/product"
	"github.com/hashicorp/hc-install/releases"
	"github.com/hashicorp/hc-install/src"
)

// BinaryEnv names a Terraform binary to use instead of searching; its
// version must still match the pinned one.
const BinaryEnv = "TFREBUILD_TERRAFORM"

// Binary is a Terraform or OpenTofu executable and its version. Engine
// is EngineTerraform or EngineOpenTofu (empty means Terraform); with the
// version it belongs in every stack's fingerprint.
type Binary struct {
	Path    string
	Version string
	Engine  string
}

// Program is the command a user types for this engine: terraform or tofu.
func (b *Binary) Program() string {
	if b != nil && b.Engine == EngineOpenTofu {
		return "tofu"
	}
	return "terraform"
}

// Fetch says whether Find may download the pinned Terraform.
type Fetch int

const (
	// InstalledOnly never downloads: plan in CI, validate's check, tests,
	// apply --no-download.
	InstalledOnly Fetch = iota
	// MayDownload downloads a release verified by checksum and signature
	// when the pinned version is not installed.
	MayDownload
)

// CacheDir is where tfrebuild keeps the Terraform binaries it downloads.
func CacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "tfrebuild", "terraform")
}

// Find returns Terraform at exactly the pinned version: $TFREBUILD_TERRAFORM,
// else an installed binary (PATH, then the cache dir), else a download
// verified by checksum and signature into the cache dir. With no pinned
// version it takes terraform from PATH. InstalledOnly (plan in CI, tests)
// never downloads.
func Find(ctx context.Context, pinned string, fetch Fetch) (*Binary, error) {
	if p := os.Getenv(BinaryEnv); p != "" {
		got, err := versionOf(ctx, p)
		if err != nil {
			return nil, fmt.Errorf("%s=%s: %w", BinaryEnv, p, err)
		}
		if pinned != "" && got != pinned {
			return nil, fmt.Errorf("%s=%s is Terraform %s, but the config pins %s", BinaryEnv, p, got, pinned)
		}
		return &Binary{Path: p, Version: got, Engine: EngineTerraform}, nil
	}
	if pinned == "" {
		p, err := exec.LookPath("terraform")
		if err != nil {
			return nil, errors.New("terraform is not on PATH; install it, or pin a version with terraform { version = \"1.11.4\" } in the config")
		}
		got, err := versionOf(ctx, p)
		if err != nil {
			return nil, err
		}
		return &Binary{Path: p, Version: got, Engine: EngineTerraform}, nil
	}
	v, err := version.NewVersion(pinned)
	if err != nil {
		return nil, fmt.Errorf("terraform version %q: %w", pinned, err)
	}
	cache := filepath.Join(CacheDir(), v.String())
	if path, ok := recalledExact(v.String(), cache); ok {
		return &Binary{Path: path, Version: v.String(), Engine: EngineTerraform}, nil
	}
	sources := []src.Source{&fs.ExactVersion{Product: product.Terraform, Version: v, ExtraPaths: []string{cache}, Timeout: 30 * time.Second}}
	if fetch == MayDownload {
		if err := os.MkdirAll(cache, 0o755); err != nil {
			return nil, err
		}
		sources = append(sources, &releases.ExactVersion{Product: product.Terraform, Version: v, InstallDir: cache, Timeout: 5 * time.Minute})
	}
	path, err := install.NewInstaller().Ensure(ctx, sources)
	if err != nil {
		how := "downloads were not allowed"
		if fetch == MayDownload {
			how = "downloading it failed"
		}
		return nil, fmt.Errorf("terraform %s is not on PATH or in %s, and %s (%v). Install Terraform %s, or point %s at a Terraform %s binary",
			pinned, cache, how, err, pinned, BinaryEnv, pinned)
	}
	remember(path, EngineTerraform, v.String())
	return &Binary{Path: path, Version: v.String(), Engine: EngineTerraform}, nil
}

// recalledExact finds, without starting it, the binary hc-install would
// find first (terraform on PATH, then in the cache dir) when its version
// is remembered and is the pinned one.
func recalledExact(pinned, cache string) (string, bool) {
	var candidates []string
	if p, err := exec.LookPath("terraform"); err == nil {
		candidates = append(candidates, p)
	}
	candidates = append(candidates, filepath.Join(cache, "terraform"))
	for _, p := range candidates {
		if e, ok := recalled(p); ok && e.Engine == EngineTerraform && e.Version == pinned {
			if abs, err := filepath.Abs(p); err == nil {
				return abs, true
			}
		}
	}
	return "", false
}

func versionOf(ctx context.Context, path string) (string, error) {
	if e, ok := recalled(path); ok && e.Engine == EngineTerraform {
		return e.Version, nil
	}
	v, err := askVersion(ctx, path)
	if err == nil {
		remember(path, EngineTerraform, v)
	}
	return v, err
}

func askVersion(ctx context.Context, path string) (string, error) {
	out, err := exec.CommandContext(ctx, path, "version").Output()
	if err != nil {
		return "", fmt.Errorf("run %s version: %w", path, err)
	}
	first, _, _ := strings.Cut(string(out), "\n")
	v := strings.TrimPrefix(strings.TrimSpace(strings.TrimPrefix(first, "Terraform")), "v")
	if _, err := version.NewVersion(v); err != nil {
		return "", fmt.Errorf("%s does not look like Terraform (it printed %q)", path, first)
	}
	return v, nil
}
