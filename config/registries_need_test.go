package config

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

func TestAStackWaitsForTheRegistriesOnlyWhenItNeedsThem(t *testing.T) {
	t.Parallel()
	const stacks = `stack "net" {
  source = "stacks/net"
}
stack "told" {
  source     = "stacks/net"
  depends_on = [registry.web]
}
stack "input" {
  source = "stacks/app"
  inputs = { colour = "123456789012.dkr.ecr.eu-west-2.amazonaws.com/web-api:v1", vpc_id = "v" }
}
stack "near" {
  source = "stacks/app"
  inputs = { colour = "web-api-old", vpc_id = "webby" }
}
`
	const web = "registry \"web\" {\n  name = \"web-api\"\n}\n"
	for _, c := range []struct {
		name, registries string
		want             map[string]bool
	}{
		{"a registry some stacks name", web,
			map[string]bool{"net": false, "told": true, "input": true, "near": false}},
		{"a repository the code names (output \"url\")", web + "registry \"out\" {\n  name = \"url\"\n}\n",
			map[string]bool{"net": false, "told": true, "input": true, "near": true}},
		{"before_stacks: the order every rebuild had", "registry \"web\" {\n  name          = \"web-api\"\n  before_stacks = true\n}\n",
			map[string]bool{"net": true, "near": true}},
	} {
		cfg, diags := parseHere(t, validHeader+c.registries+stacks)
		if diags.HasErrors() {
			t.Fatalf("%s: %v", c.name, diags)
		}
		for stack, want := range c.want {
			if got := cfg.NeedsRegistries(cfg.Stack(stack)); got != want {
				t.Errorf("%s: stack %s waits for the registries %v, want %v", c.name, stack, got, want)
			}
		}
		if c.name == "a registry some stacks name" {
			cfg.Registries = nil
			if cfg.NeedsRegistries(cfg.Stack("told")) {
				t.Error("with no registries, no stack waits for them")
			}
		}
	}
}

func TestDependsOnAnUnknownRegistryIsAnError(t *testing.T) {
	t.Parallel()
	_, diags := parseHere(t, validHeader+`registry "web" {
  name = "web-api"
}
stack "net" {
  source     = "stacks/net"
  depends_on = [registry.wbe]
}
`)
	if !diags.HasErrors() || !containsDiag(diags, `there is no registry "wbe"`) {
		t.Errorf("depends_on an unknown registry: %v", diags)
	}
}

// containsDiag reports whether a diagnostic's detail holds want.
func containsDiag(diags hcl.Diagnostics, want string) bool {
	for _, d := range diags {
		if strings.Contains(d.Detail, want) || strings.Contains(d.Summary, want) {
			return true
		}
	}
	return false
}
