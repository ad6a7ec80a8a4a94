package terraform

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

func TestBackendHCL(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		b       Backend
		want    []string
		notWant []string
	}{
		"dynamodb lock": {
			b:       Backend{Bucket: "b", Key: StateKey("p", "blue"), Region: "eu-west-2", LockTable: "locks"},
			want:    []string{`bucket = "b"`, `key = "p/blue/terraform.tfstate"`, `dynamodb_table = "locks"`, "encrypt = true"},
			notWant: []string{"use_lockfile", "endpoints", "use_path_style", "profile", "shared_credentials_files"},
		},
		"lockfile and role": {
			b:    Backend{Bucket: "b", Key: "k", Region: "us-east-1", UseLockfile: true, RoleARN: "arn:aws:iam::123456789012:role/r", ExternalID: "x"},
			want: []string{"use_lockfile = true", `role_arn     = "arn:aws:iam::123456789012:role/r"`, `external_id  = "x"`},
		},
		"state in another account": {
			b:       Backend{Bucket: "b", Key: "k", Region: "eu-west-1", Profile: "tfrebuild-state", SharedCredentialsFiles: []string{"/w/app/state-credentials"}},
			want:    []string{`profile = "tfrebuild-state"`, `shared_credentials_files = ["/w/app/state-credentials"]`},
			notWant: []string{"assume_role"},
		},
		"emulator": {
			b:    Backend{Bucket: "b", Key: "k", Region: "eu-west-2", LockTable: "l", Endpoints: map[string]string{"s3": "http://127.0.0.1:1", "dynamodb": "http://127.0.0.1:1"}},
			want: []string{"endpoints = {\n  dynamodb = \"http://127.0.0.1:1\"\n  s3 = \"http://127.0.0.1:1\"\n}", "use_path_style = true", "skip_credentials_validation = true", "skip_requesting_account_id = true"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			text := tc.b.HCL()
			if _, diags := hclsyntax.ParseConfig([]byte(text), "backend.hcl", hcl.InitialPos); diags.HasErrors() {
				t.Fatalf("not valid HCL: %v\n%s", diags, text)
			}
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("missing %q in:\n%s", w, text)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(text, w) {
					t.Errorf("unexpected %q in:\n%s", w, text)
				}
			}
		})
	}
}

func TestVarFile(t *testing.T) {
	t.Parallel()
	b, err := varFile(map[string]cty.Value{
		"name":  cty.StringVal("blue"),
		"count": cty.NumberIntVal(3),
		"none":  cty.NullVal(cty.String),
		"tags":  cty.ObjectVal(map[string]cty.Value{"team": cty.StringVal("sre")}),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"count\": 3,\n  \"name\": \"blue\",\n  \"none\": null,\n  \"tags\": {\n    \"team\": \"sre\"\n  }\n}"
	if string(b) != want {
		t.Errorf("var file:\n%s\nwant:\n%s", b, want)
	}
	if _, err := varFile(map[string]cty.Value{"x": cty.UnknownVal(cty.String)}); err == nil {
		t.Error("an unknown value must not reach a var file")
	}
}

func TestErrorLinesComeFromTheFailedCommand(t *testing.T) {
	t.Parallel()
	log := filepath.Join(t.TempDir(), "terraform.log")
	text := "\n" + logMarker + "init (x)\n│ Error: an earlier warning-like problem\n\n" + logMarker + "apply (y)\nApplying...\n╷\n│ Error: local-exec provisioner error\n│ \n│   with terraform_data.app,\n│ exit status 3\n╵\n"
	if err := os.WriteFile(log, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	got := errorLines(log)
	if len(got) == 0 || got[0] != "Error: local-exec provisioner error" || strings.Contains(strings.Join(got, "\n"), "earlier") {
		t.Errorf("error lines: %q", got)
	}
}

// Find is tested against the real terraform on PATH; no download happens.
func TestFind(t *testing.T) {
	testenv.Require(t, "terraform")
	ctx := context.Background()
	path, _ := exec.LookPath("terraform")
	v, err := versionOf(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	bin, err := Find(ctx, v, InstalledOnly)
	if err != nil || bin.Version != v {
		t.Fatalf("Find(%s): %+v %v", v, bin, err)
	}
	if _, err := Find(ctx, "1.5.0", InstalledOnly); err == nil || !strings.Contains(err.Error(), "Terraform 1.5.0") || !strings.Contains(err.Error(), BinaryEnv) {
		t.Errorf("a missing version should say what to install and how to point at a binary: %v", err)
	}
	t.Setenv(BinaryEnv, path)
	if _, err := Find(ctx, "1.5.0", InstalledOnly); err == nil || !strings.Contains(err.Error(), "pins 1.5.0") {
		t.Errorf("%s with the wrong version: %v", BinaryEnv, err)
	}
	if bin, err := Find(ctx, v, InstalledOnly); err != nil || bin.Path != path {
		t.Errorf("%s: %+v %v", BinaryEnv, bin, err)
	}
}
