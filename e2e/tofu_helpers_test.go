package e2e

import (
	"fmt"
	"testing"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

// engine is the engine a scenario runs on: every scenario that matters
// (full apply, plan on an empty target, failure and resume, kill -9 and
// resume, a foreign state lock, destroy) runs on Terraform and on OpenTofu.
type engine struct {
	name string // "terraform" or "opentofu": the subtest's name
}

var engines = []engine{{name: "terraform"}, {name: "opentofu"}}

// tofuVersion is the version ../shared/tools/offline-tofu.sh builds.
const tofuVersion = "1.12.6"

// forEachEngine runs a scenario as one parallel subtest per engine.
func forEachEngine(t *testing.T, scenario func(t *testing.T, e engine)) {
	t.Helper()
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			scenario(t, e)
		})
	}
}

// target is newTarget on the engine: the OpenTofu one gets a project of
// its own (so both can share the emulator) and pins OpenTofu in its
// rebuild.hcl with the binary's path.
func (e engine) target(t *testing.T, project string) *target {
	t.Helper()
	if e.name != "opentofu" {
		return newTarget(t, project)
	}
	path := testenv.Tofu(t)
	tg := newTarget(t, project+"-tofu")
	tg.tofu = path
	return tg
}

// terraformBlock is the terraform block of the target's rebuild.hcl.
func (tg *target) terraformBlock() string {
	if tg.tofu == "" {
		return "terraform {\n  version = \"1.11.4\"\n}\n"
	}
	return fmt.Sprintf("terraform {\n  engine  = \"opentofu\"\n  version = %q\n  path    = %q\n}\n", tofuVersion, tg.tofu)
}

// engineLabel is how reports name the target's engine.
func (tg *target) engineLabel() string {
	if tg.tofu == "" {
		return "terraform 1.11.4"
	}
	return "opentofu " + tofuVersion
}

// program is the engine's command: terraform or tofu.
func (tg *target) program() string {
	if tg.tofu == "" {
		return "terraform"
	}
	return "tofu"
}
