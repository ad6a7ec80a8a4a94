package readiness

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/restore"
)

func TestLockedProvidersAndMirror(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	stackA, stackB, none := filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "none")
	lock := `provider "registry.terraform.io/hashicorp/aws" {
  version     = "1.60.0"
  constraints = "1.60.0"
  hashes      = ["h1:x"]
}
provider "registry.terraform.io/hashicorp/null" {
  version = "1.0.0"
}
`
	for _, d := range []string{stackA, stackB, none} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{stackA, stackB} {
		if err := os.WriteFile(filepath.Join(d, ".terraform.lock.hcl"), []byte(lock), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	list, missing, err := LockedProviders(map[string]string{"a": stackA, "b": stackB, "none": none})
	if err != nil || len(list) != 2 || len(missing) != 1 || missing[0] != "none" || strings.Join(list[0].Stacks, ",") != "a,b" {
		t.Fatalf("%+v %v %v", list, missing, err)
	}
	mirror := filepath.Join(dir, "mirror")
	if err := os.MkdirAll(filepath.Join(mirror, "registry.terraform.io/hashicorp/aws/1.60.0", platform), 0o755); err != nil {
		t.Fatal(err)
	}
	rc := filepath.Join(dir, "terraformrc")
	if err := os.WriteFile(rc, []byte(`plugin_cache_dir = "`+filepath.Join(dir, "cache")+`"
provider_installation {
  filesystem_mirror {
    path    = "`+mirror+`"
    include = ["registry.terraform.io/*/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	pd, err := CLIProviderDirs(rc, "", filepath.Join(dir, "own"))
	if err != nil || len(pd.Mirrors) != 1 || len(pd.Caches) != 2 {
		t.Fatalf("%+v %v", pd, err)
	}
	checks := CheckProviders(list, missing, pd)
	v := map[string]Verdict{}
	for _, c := range checks {
		v[c.Name] = c.Verdict
	}
	if v["provider.registry.terraform.io/hashicorp/aws@1.60.0"] != OK || v["provider.registry.terraform.io/hashicorp/null@1.0.0"] != Fail || v["provider.lock.none"] != Warn {
		t.Errorf("%+v", checks)
	}
	// The null provider packed in the mirror is found too.
	zip := filepath.Join(mirror, "registry.terraform.io/hashicorp/null", "terraform-provider-null_1.0.0_"+platform+".zip")
	if err := os.MkdirAll(filepath.Dir(zip), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(zip, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if c := CheckProviders(list[1:], nil, pd); c[0].Verdict != OK {
		t.Errorf("packed: %+v", c)
	}
	if pd, err := CLIProviderDirs(filepath.Join(dir, "absent"), "", ""); err != nil || len(pd.Mirrors)+len(pd.Caches) != 0 {
		t.Errorf("absent CLI config: %+v %v", pd, err)
	}
}

// The checks of an account whose access failed are not run; the report
// fails, names them, and renders as text, JSON and Markdown.
func TestRunBlocksChecksOfAnInaccessibleAccount(t *testing.T) {
	t.Parallel()
	cfg := &config.Config{Project: "p", Target: config.Target{AccountID: "123456789012", Region: "eu-west-2"},
		State:    config.State{Bucket: "p-tfstate"},
		Restores: []*config.Restore{{Name: "orders", Kind: config.RestoreDynamoDB, DynamoDBTable: "orders", From: "backup"}}}
	opened := 0
	d := Deps{
		Guard:   fakeGuard{"": &bootstrap.GuardError{What: "account", Want: "123456789012", Got: "111111111111"}},
		Buckets: func(bootstrap.Account) (BucketFinder, error) { opened++; return fakeBuckets{}, nil },
		Sources: func(bootstrap.Account) (Sources, error) {
			opened++
			return fakeSources{st: &restore.SourceState{}}, nil
		},
		Now: func() time.Time { return time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC) },
	}
	rep := Run(context.Background(), cfg, d)
	if rep.Ready || opened != 0 || strings.Join(rep.Failed(), ",") != "access.target,state_bucket,restore.orders" {
		t.Fatalf("ready %v, opened %d, failed %v", rep.Ready, opened, rep.Failed())
	}
	var text, md, js bytes.Buffer
	WriteText(&text, rep)
	WriteMarkdown(&md, rep)
	if err := WriteJSON(&js, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "NOT READY: 3 of 3 checks failed") || !strings.Contains(md.String(), "| `state_bucket` | :x: fail |") {
		t.Errorf("text:\n%s\nmarkdown:\n%s", text.String(), md.String())
	}
	var back Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || len(back.Checks) != 3 || back.Checks[1].Verdict != Fail {
		t.Errorf("json: %v %s", err, js.String())
	}

	d.Guard = fakeGuard{}
	if rep := Run(context.Background(), cfg, d); !rep.Ready || opened != 2 {
		t.Errorf("with access: ready %v, opened %d: %+v", rep.Ready, opened, rep.Checks)
	}
}
