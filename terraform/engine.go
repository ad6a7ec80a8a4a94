package terraform

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/hashicorp/go-version"
)

// The engines tfrebuild drives.
const (
	EngineTerraform = "terraform"
	EngineOpenTofu  = "opentofu"
)

// TofuEnv names an OpenTofu binary to use before the one on PATH.
const TofuEnv = "TFREBUILD_TOFU"

// Engine is the engine a rebuild pins: terraform { engine, version, path }.
type Engine struct {
	Name    string // EngineTerraform (when empty) or EngineOpenTofu
	Version string // the pinned version; empty takes the one found
	Path    string // a binary of the user's own, tried first
}

// tfrebuild drives OpenTofu as it drives Terraform: every command it builds
// (init -backend-config -reconfigure [-lockfile=readonly], plan -out
// -destroy -lock -lock-timeout -var-file -json, apply -json [PLAN], show
// -json PLAN, state pull, force-unlock -force, import -var-file, and
// version -json, whose field OpenTofu still calls terraform_version)
// takes the same flags in OpenTofu 1.12. What differs: OpenTofu looks
// providers up under registry.opentofu.org, so a lock file written by one
// engine names other hosts than the other's (lockMismatches compares them
// without the host), and it reads the same TF_* variables.

// FindEngine returns the pinned engine's binary. Terraform: Path, else as
// Find does (installed, then a verified download). OpenTofu: Path, else
// $TFREBUILD_TOFU, else tofu on PATH; it is never downloaded.
func FindEngine(ctx context.Context, e Engine, fetch Fetch) (*Binary, error) {
	b, err := findEngine(ctx, e, fetch)
	if err != nil {
		return nil, err
	}
	return b, b.supported()
}

// minVersions are the oldest versions whose flags tfrebuild builds its
// commands with (apply -json, init -lockfile=readonly).
var minVersions = map[string]string{EngineTerraform: "1.0.0", EngineOpenTofu: "1.6.0"}

// supported refuses an engine older than tfrebuild can drive.
func (b *Binary) supported() error {
	engine := b.Engine
	if engine == "" {
		engine = EngineTerraform
	}
	got, err := version.NewVersion(b.Version)
	if err != nil {
		return fmt.Errorf("%s reports version %q: %w", b.Path, b.Version, err)
	}
	if got.LessThan(version.Must(version.NewVersion(minVersions[engine]))) {
		return fmt.Errorf("%s is %s %s; tfrebuild needs %s %s or later: pin a newer version in terraform { version }",
			b.Path, engineTitle(engine), b.Version, engineTitle(engine), minVersions[engine])
	}
	return nil
}

func findEngine(ctx context.Context, e Engine, fetch Fetch) (*Binary, error) {
	switch e.Name {
	case "", EngineTerraform:
		if e.Path != "" {
			return atPath(ctx, EngineTerraform, e.Path, e.Version, "terraform { path } in the config")
		}
		return Find(ctx, e.Version, fetch)
	case EngineOpenTofu:
		return findTofu(ctx, e)
	default:
		return nil, fmt.Errorf("engine %q: tfrebuild runs %q or %q", e.Name, EngineTerraform, EngineOpenTofu)
	}
}

func findTofu(ctx context.Context, e Engine) (*Binary, error) {
	if e.Path != "" {
		return atPath(ctx, EngineOpenTofu, e.Path, e.Version, "terraform { path } in the config")
	}
	var looked []string
	if p := os.Getenv(TofuEnv); p != "" {
		b, err := atPath(ctx, EngineOpenTofu, p, e.Version, "$"+TofuEnv)
		if err == nil {
			return b, nil
		}
		looked = append(looked, err.Error())
	}
	if p, err := exec.LookPath("tofu"); err == nil {
		b, err := atPath(ctx, EngineOpenTofu, p, e.Version, "PATH")
		if err == nil {
			return b, nil
		}
		looked = append(looked, err.Error())
	} else {
		looked = append(looked, "tofu is not on PATH")
	}
	want := "OpenTofu"
	if e.Version != "" {
		want += " " + e.Version
	}
	return nil, fmt.Errorf("%s not found: %s. Install it, set %s to its binary, or give its path with terraform { path = \"...\" } in the config",
		want, strings.Join(looked, "; "), TofuEnv)
}

// atPath checks that the binary at path is the engine at the pinned
// version; where says how it was found, for the error.
func atPath(ctx context.Context, engine, path, pinned, where string) (*Binary, error) {
	gotEngine, got, err := identify(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("%s (from %s): %w", path, where, err)
	}
	if gotEngine != engine {
		return nil, fmt.Errorf("%s (from %s) is %s %s, not %s", path, where, gotEngine, got, engineTitle(engine))
	}
	if pinned != "" && got != pinned {
		return nil, fmt.Errorf("%s (from %s) is %s %s, but the config pins %s", path, where, engineTitle(engine), got, pinned)
	}
	return &Binary{Path: path, Version: got, Engine: engine}, nil
}

func engineTitle(engine string) string {
	if engine == EngineOpenTofu {
		return "OpenTofu"
	}
	return "Terraform"
}

// identify runs `version -json` and tells Terraform from OpenTofu by the
// plain first line of `version`, which -json lacks.
func identify(ctx context.Context, path string) (engine, ver string, err error) {
	if e, ok := recalled(path); ok {
		return e.Engine, e.Version, nil
	}
	engine, ver, err = askEngine(ctx, path)
	if err == nil {
		remember(path, engine, ver)
	}
	return engine, ver, err
}

func askEngine(ctx context.Context, path string) (engine, ver string, err error) {
	cmd := exec.CommandContext(ctx, path, "version", "-json")
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
	out, err := cmd.Output()
	if err != nil {
		return "", "", fmt.Errorf("run %s version -json: %w", path, err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	// OpenTofu prints CLI configuration warnings on stdout, before the JSON.
	if i := bytes.Index(out, []byte("\n{")); i >= 0 && !bytes.HasPrefix(out, []byte("{")) {
		out = out[i+1:]
	}
	if err := json.NewDecoder(bytes.NewReader(out)).Decode(&v); err != nil || v.Version == "" {
		return "", "", fmt.Errorf("%s does not look like Terraform or OpenTofu (version -json printed %.80q)", path, out)
	}
	if _, err := version.NewVersion(v.Version); err != nil {
		return "", "", fmt.Errorf("%s reports version %q: %w", path, v.Version, err)
	}
	cmd = exec.CommandContext(ctx, path, "version")
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
	text, err := cmd.Output()
	if err != nil {
		return "", "", fmt.Errorf("run %s version: %w", path, err)
	}
	for _, line := range strings.Split(string(text), "\n") {
		switch {
		case strings.HasPrefix(line, "OpenTofu v"):
			return EngineOpenTofu, v.Version, nil
		case strings.HasPrefix(line, "Terraform v"):
			return EngineTerraform, v.Version, nil
		}
	}
	return "", "", fmt.Errorf("%s is neither Terraform nor OpenTofu (version printed %.80q)", path, text)
}
