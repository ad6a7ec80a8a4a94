package terraform

import (
	"slices"
	"strings"
	"testing"
)

// Terraform's own debug log would hold secrets and is never turned on
// from the stack's environment; TF_WORKSPACE cannot pick another state.
func TestCommandEnv(t *testing.T) {
	t.Setenv("TF_APPEND_USER_AGENT", "ci/1")
	t.Setenv("CHECKPOINT_DISABLE", "1")
	env := commandEnv(map[string]string{"TF_LOG": "TRACE", "TF_LOG_PATH": "/tmp/x", "TF_WORKSPACE": "prod", "AWS_REGION": "eu-west-2"})
	for _, want := range []string{"TF_LOG=", "TF_LOG_PATH=", "TF_IN_AUTOMATION=1", "AWS_REGION=eu-west-2", "CHECKPOINT_DISABLE=1", "TF_APPEND_USER_AGENT=ci/1 tfrebuild"} {
		if !slices.Contains(env, want) {
			t.Errorf("env lacks %s: %q", want, env)
		}
	}
	if slices.ContainsFunc(env, func(kv string) bool { return strings.HasPrefix(kv, "TF_WORKSPACE=") }) {
		t.Errorf("TF_WORKSPACE kept: %q", env)
	}
}

func TestManagedEnv(t *testing.T) {
	for k, want := range map[string]bool{"TF_VAR_x": true, "TF_CLI_ARGS_plan": true, "TF_LOG": true, "TF_WORKSPACE": true,
		"TF_PLUGIN_CACHE_DIR": false, "TF_TOKEN_app_terraform_io": false, "AWS_PROFILE": false} {
		if managed(k) != want {
			t.Errorf("managed(%s) = %v", k, !want)
		}
	}
}

func TestAsksForInit(t *testing.T) {
	for _, c := range []struct {
		lines   []string
		program string
		want    bool
	}{
		{[]string{`Error: Backend initialization required, please run "terraform init"`}, "terraform", true},
		// In automation mode it does not name init.
		{[]string{"Error: Required plugins are not installed", "The installed provider plugins are not consistent"}, "tofu", true},
		{[]string{"Error: Inconsistent dependency lock file", "terraform init"}, "terraform", true},
		{[]string{"Error: Something else", "then run: tofu init"}, "tofu", true},
		{[]string{"Error: Something else", "then run: tofu init"}, "terraform", false},
		{[]string{"Error: creating S3 Bucket: AccessDenied"}, "terraform", false},
	} {
		if got := asksForInit(c.lines, c.program); got != c.want {
			t.Errorf("%s %q: %v, want %v", c.program, c.lines, got, c.want)
		}
	}
}

func TestSupportedVersions(t *testing.T) {
	for _, c := range []struct {
		b  Binary
		ok bool
	}{
		{Binary{Version: "1.11.4"}, true},
		{Binary{Version: "0.15.5", Engine: EngineTerraform}, false},
		{Binary{Version: "1.6.0", Engine: EngineOpenTofu}, true},
		{Binary{Version: "1.5.7", Engine: EngineOpenTofu}, false},
	} {
		if err := c.b.supported(); (err == nil) != c.ok {
			t.Errorf("%s %s: %v", c.b.Engine, c.b.Version, err)
		}
	}
}
