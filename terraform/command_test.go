package terraform

import (
	"slices"
	"strings"
	"testing"
)

// The command lines tfrebuild builds keep terraform-exec's defaults flag
// for flag (what it ran before), and put values where they belong.
func TestCommandArguments(t *testing.T) {
	t.Setenv("TF_APPEND_USER_AGENT", "")
	cases := []struct {
		name string
		got  []string
		want string
	}{
		{"init with a backend", initArgs("/w/backend.hcl", false),
			"init -no-color -input=false -backend=true -get=true -upgrade=false -reconfigure -backend-config=/w/backend.hcl"},
		{"init of a wrapper root, committed lock", initArgs("", true),
			"init -no-color -input=false -backend=true -get=true -upgrade=false -lockfile=readonly"},
		{"apply that plans", applyArgs("60s", []string{"/u/a.tfvars", "/w/inputs.tfvars.json"}, ""),
			"apply -no-color -auto-approve -input=false -lock-timeout=60s -var-file=/u/a.tfvars -var-file=/w/inputs.tfvars.json -lock=true -parallelism=10 -refresh=true -json"},
		{"apply of a saved plan takes no var file", applyArgs("60s", []string{"/w/inputs.tfvars.json"}, "/w/plan.tfplan"),
			"apply -no-color -auto-approve -input=false -lock-timeout=60s -lock=true -parallelism=10 -refresh=true -json /w/plan.tfplan"},
		{"destroy plan", planArgs("60s", []string{"/w/v.json"}, "/w/plan.tfplan", true, true),
			"plan -no-color -input=false -detailed-exitcode -lock-timeout=60s -out=/w/plan.tfplan -var-file=/w/v.json -lock=true -parallelism=10 -refresh=true -destroy -json"},
		{"read-only plan", planArgs("0s", nil, "/w/p", false, false),
			"plan -no-color -input=false -detailed-exitcode -lock-timeout=0s -out=/w/p -lock=false -parallelism=10 -refresh=true -json"},
		{"import: address and id last", importArgs("60s", []string{"/w/v.json"}, "aws_dynamodb_table.t", "orders"),
			"import -no-color -input=false -lock-timeout=60s -var-file=/w/v.json -lock=true aws_dynamodb_table.t orders"},
	}
	for _, c := range cases {
		if got := strings.Join(c.got, " "); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}

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
