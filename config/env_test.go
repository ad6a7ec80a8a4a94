package config

import (
	"path/filepath"
	"strings"
	"testing"
)

const unsetVar = "TFREBUILD_TEST_SURELY_UNSET"

func appStack(extra string) string {
	return "stack \"c\" {\n  source = \"stacks/app\"\n" + extra + "}\n"
}

func TestEnvAndStaticChecks(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, src, pos, want string }{
		{"unknown function in inputs", appStack("  inputs = { colour = envv(\"USER\"), vpc_id = \"v\" }\n"), "16:23", `no function named "envv". Did you mean "env"?`},
		{"unknown function in check url", validStacks + "check \"h\" {\n  url = lowerr(stack.blue.outputs.url)\n}\n", "29:9", `no function named "lowerr"`},
		{"unset env in inputs", appStack("  inputs = { colour = env(\"" + unsetVar + "\"), vpc_id = \"v\" }\n"), "16:28", "the environment variable " + unsetVar + " is not set"},
		{"unset env in check url", validStacks + "check \"h\" {\n  url = \"${env(\"" + unsetVar + "\")}/x\"\n}\n", "29:17", "is not set"},
		{"bad env name", appStack("  inputs = { colour = env(\"1X\"), vpc_id = \"v\" }\n"), "16:28", "not an environment variable name"},
		{"env with three args", appStack("  inputs = { colour = env(\"A\", \"b\", \"c\"), vpc_id = \"v\" }\n"), "16:38", "optional default"},
		{"function in a literal attribute", strings.Replace(validHeader, `"eu-west-2"`, `env("`+unsetVar+`")`, 1), "8:21", "is not set"},
		{"reference in a literal attribute", strings.Replace(validHeader, `"eu-west-2"`, `stack.x.outputs.y`, 1), "8:16", "Variables not allowed"},
		{"stack env reference", appStack("  inputs = { colour = \"x\", vpc_id = \"v\" }\n  env = { FOO = stack.net.outputs.vpc_id }\n"), "17:17", "may use env"},
		{"stack env reserved", appStack("  inputs = { colour = \"x\", vpc_id = \"v\" }\n  env = { AWS_PROFILE = \"prod\" }\n"), "17:25", "tfrebuild sets AWS_PROFILE itself"},
		{"stack env reserved prefix", appStack("  inputs = { colour = \"x\", vpc_id = \"v\" }\n  env = { TF_CLI_ARGS_apply = \"-x\" }\n"), "17:31", "sets TF_CLI_ARGS_apply itself"},
		{"stack env debug log", appStack("  inputs = { colour = \"x\", vpc_id = \"v\" }\n  env = { TF_LOG = \"TRACE\" }\n"), "17:20", "debug log can hold secrets"},
		{"stack env bad name", appStack("  inputs = { colour = \"x\", vpc_id = \"v\" }\n  env = { \"A-B\" = \"x\" }\n"), "17:19", "must use letters"},
		{"stack env unset", appStack("  inputs = { colour = \"x\", vpc_id = \"v\" }\n  env = { A = env(\"" + unsetVar + "\") }\n"), "17:20", "is not set"},
		{"stack env not a map", appStack("  inputs = { colour = \"x\", vpc_id = \"v\" }\n  env = [\"A\"]\n"), "17:9", "must be an object"},
		{"stack env list value", appStack("  inputs = { colour = \"x\", vpc_id = \"v\" }\n  env = { A = [1] }\n"), "17:15", "must be a string"},
		{"function in mock outputs", appStack("  inputs = { colour = \"x\", vpc_id = \"v\" }\n  mock_outputs = { url = upper(\"x\") }\n"), "17:26", "not a reference or a function call"},
		{"var file missing", appStack("  inputs = { colour = \"x\", vpc_id = \"v\" }\n  var_files = [\"vars/nope.tfvars\"]\n"), "17:16", `"vars/nope.tfvars" is not a file`},
		{"var file is a directory", appStack("  inputs = { colour = \"x\", vpc_id = \"v\" }\n  var_files = [\"vars\"]\n"), "17:16", "is not a file"},
		{"var file broken", appStack("  inputs = { colour = \"x\" }\n  var_files = [\"vars/broken.tfvars\"]\n"), "1:", ""},
		{"var file duplicate", appStack("  inputs = { colour = \"x\" }\n  var_files = [\"vars/prod.tfvars\", \"./vars/prod.tfvars\"]\n"), "17:36", "twice"},
		{"var files not a list", appStack("  inputs = { colour = \"x\", vpc_id = \"v\" }\n  var_files = \"vars/prod.tfvars\"\n"), "17:15", "must be a list"},
		{"var file does not give a required var", appStack("  inputs = { colour = \"x\" }\n  var_files = [\"vars/typo.tfvars.json\"]\n  env = { TF_VAR_size = \"1\" }\n"), "14:1", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			switch tc.name {
			case "var file broken":
				// the syntax error points into the var file itself.
				_, diags := parseHere(t, validHeader+tc.src)
				if !diags.HasErrors() || !strings.Contains(DiagnosticsError(diags).Error(), filepath.Join("vars", "broken.tfvars")+":1:10") {
					t.Errorf("want a syntax error in broken.tfvars, got %v", DiagnosticsError(diags))
				}
				return
			case "var file does not give a required var":
				// typo.tfvars.json sets vpc_id: no missing input, but a warning for colr.
				cfg, diags := parseHere(t, validHeader+tc.src)
				if diags.HasErrors() {
					t.Fatal(DiagnosticsError(diags))
				}
				if len(diags) != 1 || !strings.Contains(diags[0].Detail, `sets "colr"`) || !strings.Contains(diags[0].Detail, `Did you mean "colour"?`) {
					t.Errorf("want one warning about colr, got %v", diags)
				}
				if got := cfg.Stack("c").Env["TF_VAR_size"]; got != "1" {
					t.Errorf("env = %v", cfg.Stack("c").Env)
				}
				return
			}
			src := tc.src
			if !strings.HasPrefix(src, "project") {
				src = validHeader + src
			}
			wantError(t, src, tc.pos, tc.want)
		})
	}
}

func TestEnvValues(t *testing.T) {
	t.Setenv("TFREBUILD_TEST_COLOUR", "teal")
	t.Setenv("TFREBUILD_TEST_EMPTY", "")
	cfg, diags := parseHere(t, validHeader+appStack(`  inputs = { colour = env("TFREBUILD_TEST_COLOUR"), vpc_id = env("`+unsetVar+`", "vpc-default") }
  env = { AWS_MAX_ATTEMPTS = "10", EMPTY = env("TFREBUILD_TEST_EMPTY"), COUNT = 3, ON = true, C = upper(env("TFREBUILD_TEST_COLOUR")) }
  var_files = ["vars/prod.tfvars"]
`))
	if diags.HasErrors() {
		t.Fatal(DiagnosticsError(diags))
	}
	s := cfg.Stack("c")
	want := map[string]string{"AWS_MAX_ATTEMPTS": "10", "EMPTY": "", "COUNT": "3", "ON": "true", "C": "TEAL"}
	for k, v := range want {
		if got, ok := s.Env[k]; !ok || got != v {
			t.Errorf("Env[%s] = %q, %v; want %q", k, got, ok, v)
		}
	}
	if len(s.VarFiles) != 1 || s.VarFiles[0] != filepath.Join(mustAbs(t, "testdata"), "vars", "prod.tfvars") {
		t.Errorf("VarFiles = %v", s.VarFiles)
	}
	in, d := cfg.NewScope(nil).Inputs(s)
	if d.HasErrors() {
		t.Fatal(DiagnosticsError(d))
	}
	if in["colour"].AsString() != "teal" || in["vpc_id"].AsString() != "vpc-default" {
		t.Errorf("inputs = %#v", in)
	}
}
