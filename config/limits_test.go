package config

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// #23.5: validate refuses what apply cannot do, at file:line:col, before
// anything is written: a source holding the state folder (apply would
// copy .tfrebuild into itself), empty or null required values, names too
// long for what they become, two registries with one repository.
func TestValidateRefusesWhatApplyCannotDo(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("p", 5000)
	label := "s" + strings.Repeat("x", 299)
	cases := []struct {
		name string
		src  string
		pos  string // LINE:COL
		want string
	}{
		{"source is the config's folder", validHeader + "stack \"a\" {\n  source = \".\"\n}\n", "15:12", "holds the config's state folder"},
		{"source above the config", validHeader + "stack \"a\" {\n  source = \"..\"\n}\n", "15:12", "holds the config's state folder"},
		{"empty project", strings.Replace(validHeader, `project = "demo"`, `project = ""`, 1), "1:11", "project must not be empty"},
		{"null project", strings.Replace(validHeader, `project = "demo"`, `project = null`, 1), "1:11", "project must not be empty"},
		{"empty source", validHeader + "stack \"a\" {\n  source = \"\"\n}\n", "15:12", "source must not be empty"},
		{"null source", validHeader + "stack \"a\" {\n  source = null\n}\n", "15:12", "source must not be empty"},
		{"empty region", strings.Replace(validHeader, `region     = "eu-west-2"`, `region     = ""`, 1), "8:16", "region must not be empty"},
		{"null account", strings.Replace(validHeader, `account_id = "123456789012"`, `account_id = null`, 1), "7:16", "account_id must not be empty"},
		{"empty bucket", strings.Replace(validHeader, `bucket     = "demo-tfstate-123456789012-eu-west-2"`, `bucket     = ""`, 1), "11:16", "bucket must not be empty"},
		{"long project", strings.Replace(validHeader, `project = "demo"`, fmt.Sprintf("project = %q", long), 1), "1:11", "at most 64 characters"},
		{"long stack name", validHeader + fmt.Sprintf("stack %q {\n  source = \"stacks/net\"\n}\n", label), "14:7", "at most 64 characters"},
		{"long step name", validHeader + fmt.Sprintf("step %q {\n  instructions = \"x\"\n}\n", label), "14:6", "at most 64 characters"},
		{"two registries, one repository", validHeader + "registry \"a\" {\n  name = \"shared\"\n}\nregistry \"b\" {\n  name      = \"shared\"\n  immutable = true\n}\n", "18:15", `registry "a" (testdata/rebuild.hcl:15:10) already names repository "shared"`},
		{"registry label and name", validHeader + "registry \"shared\" {\n}\nregistry \"b\" {\n  name = \"shared\"\n}\n", "17:10", `registry "shared" (testdata/rebuild.hcl:14:10) already names repository "shared"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, diags := parseHere(t, tc.src)
			want := fmt.Sprintf("testdata/rebuild.hcl:%s: ", tc.pos)
			for _, d := range diags {
				line := FormatDiagnostic(d)
				if d.Severity == hcl.DiagError && strings.HasPrefix(line, want) && strings.Contains(line, tc.want) {
					return
				}
			}
			t.Errorf("want an error at %s containing %q; got:\n%v", want, tc.want, DiagnosticsError(diags))
		})
	}
}

// #23.6: a sensitive output wired into a variable not declared sensitive
// is a warning at the reference.
func TestValidateWarnsAboutSensitiveWiring(t *testing.T) {
	t.Parallel()
	_, diags := parseHere(t, validHeader+validStacks+"stack \"c\" {\n  source = \"stacks/app\"\n  inputs = { colour = stack.net.outputs.secret, vpc_id = \"v\" }\n}\n")
	for _, d := range diags {
		line := FormatDiagnostic(d)
		if d.Severity == hcl.DiagWarning && strings.HasPrefix(line, "testdata/rebuild.hcl:30:23: ") && strings.Contains(line, "stack.net.outputs.secret, which is sensitive") &&
			strings.Contains(line, `variable "colour"`) {
			return
		}
	}
	t.Errorf("want a warning at the reference; got:\n%v", DiagnosticsError(diags))
}
