package main

import (
	"strings"
	"testing"
)

func TestScopeFlagUsage(t *testing.T) {
	t.Parallel()
	for _, cmd := range []string{"apply", "plan"} {
		if _, errOut, code := runCLI(t, cmd, "--with-deps", "--config", example); code != 1 || !strings.Contains(errOut, "--with-deps needs --only") {
			t.Errorf("%s --with-deps alone: %d %q", cmd, code, errOut)
		}
	}
	if _, errOut, code := runCLI(t, "drill", "--confirm", "nope", "--yes", "--config", example); code != 1 || !strings.Contains(errOut, `there is no step "nope"`) {
		t.Errorf("drill --confirm of an unknown step: %d %q", code, errOut)
	}
	f := runFlags{Config: "drill.hcl", With: stringList{"green"}, Only: stringList{"app"}, WithDeps: true}
	if got := f.resumeCommand(); got != "tfrebuild apply --config drill.hcl --with green --only app --with-deps" {
		t.Errorf("resume command %q", got)
	}
}

func TestParseAdoption(t *testing.T) {
	t.Parallel()
	d, err := parseAdoption(`shared:module.m.aws_s3_bucket.b["k"]=orders-data`)
	if err != nil || d.Stack != "shared" || d.Address != `module.m.aws_s3_bucket.b["k"]` || d.ID != "orders-data" || d.String() != `shared:module.m.aws_s3_bucket.b["k"]=orders-data` {
		t.Errorf("parseAdoption = %+v, %v", d, err)
	}
	for _, bad := range []string{"shared", "shared:addr", ":a=b", "s:=b", "s:a="} {
		if _, err := parseAdoption(bad); err == nil {
			t.Errorf("parseAdoption(%q) took it", bad)
		}
	}
}
