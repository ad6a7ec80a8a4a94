package config

import (
	"path/filepath"
	"strings"
	"testing"
)

// parseStack parses a config with one stack "app" whose source is dir and
// the given extra text in the header.
func parseStack(t *testing.T, dir, engine, inputs string) (*Config, string) {
	t.Helper()
	hdr := validHeader
	if engine != "" {
		hdr = strings.Replace(hdr, `version = "1.11.4"`, "engine  = \""+engine+"\"\n  version = \"1.12.6\"", 1)
	}
	cfg, diags := Parse([]byte(hdr+"stack \"app\" {\n  source = \""+filepath.ToSlash(dir)+"\"\n  inputs = {"+inputs+"}\n}\n"), filepath.Join(t.TempDir(), "rebuild.hcl"))
	if err := DiagnosticsError(diags); err != nil {
		return cfg, err.Error()
	}
	return cfg, ""
}

// Inspection reads the files the engine reads: .tf.json is configuration
// for both, .tofu for OpenTofu only, where it hides the same-named .tf.
func TestInspectionReadsWhatTheEngineReads(t *testing.T) {
	t.Parallel()
	root := tree(t, map[string]string{
		"app/backend.tf.json": `{"terraform": {"backend": {"s3": {}}}, "variable": {"from_json": {"default": 1}}, "output": {"o": {"value": 1, "sensitive": true}}}`,
		"app/vars.tf":         "variable \"from_tf\" {}\n",
		"app/vars.tofu":       "variable \"from_tofu\" {}\n",
	})
	dir := filepath.Join(root, "app")
	cfg, errs := parseStack(t, dir, "", `from_json = 2, from_tf = 3`)
	if errs != "" {
		t.Fatalf("terraform: %s", errs)
	}
	m := cfg.Stack("app").Module
	if m == nil || m.Variables["from_json"] == nil || m.Variables["from_tf"] == nil || m.Variables["from_tofu"] != nil || !m.Outputs["o"].Sensitive {
		t.Fatalf("terraform reads .tf and .tf.json, not .tofu: %+v", m)
	}
	if got := cfg.Stack("app").Files.Files; len(got) != 3 {
		t.Errorf("the stack's file set is kept on the stack: %q", got)
	}
	_, errs = parseStack(t, dir, EngineOpenTofu, `from_json = 2, from_tf = 3`)
	if !strings.Contains(errs, `"from_tf"`) || !strings.Contains(errs, `"from_tofu"`) {
		t.Errorf("for OpenTofu vars.tofu hides vars.tf: from_tf is unknown and from_tofu missing:\n%s", errs)
	}
}

// #19: validate refuses a stack whose files Terraform cannot read, naming
// the file, instead of reading a device without end.
func TestInspectionRefusesADevice(t *testing.T) {
	t.Parallel()
	root := tree(t, map[string]string{"app/main.tf": "terraform {\n  backend \"s3\" {}\n}\n", "app/zero.tf": "-> /dev/zero"})
	cfg, errs := parseStack(t, filepath.Join(root, "app"), "", "")
	if !strings.Contains(errs, "Stack source cannot be read") || !strings.Contains(errs, "zero.tf") || !strings.Contains(errs, "a device") {
		t.Errorf("want the device named:\n%s", errs)
	}
	if cfg != nil && cfg.Stack("app") != nil && cfg.Stack("app").Files != nil {
		t.Error("no file set for a stack that cannot be read")
	}
}
