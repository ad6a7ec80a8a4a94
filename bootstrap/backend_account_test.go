package bootstrap

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
	"github.com/tfrebuild/tfrebuild/tfstate"
)

// TestBackendInTheStateAccount runs the real Terraform: its environment
// holds the target account's keys (as for a stack applied there), and its
// S3 backend, whose lock table exists only in the management account,
// reaches it through the credentials file's profile. Without the profile
// the same run fails: the lock table is not in the target account.
func TestBackendInTheStateAccount(t *testing.T) {
	t.Parallel()
	testenv.Require(t, "terraform")
	ctx := context.Background()
	e := testenv.New(t)
	ss := sessionsAt(e.Moto)
	mgmt, target := openFor(t, ss, mgmtAcct), openFor(t, ss, targetAcct)
	st := stateFor("acct-backend")
	// moto serves plain HTTP, which the deny-insecure-transport policy refuses.
	st.DenyInsecureTransport = false
	opts := Options{Project: "acct-backend", Target: "t/acct-backend"}
	if _, err := mgmt.EnsureBucket(ctx, mgmtID, st, opts); err != nil {
		t.Fatal(err)
	}
	if _, err := mgmt.EnsureLockTable(ctx, st.LockTable, opts); err != nil {
		t.Fatal(err)
	}

	env := map[string]string{}
	for _, kv := range e.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	tfEnv, err := target.TerraformEnv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range tfEnv {
		if v == "" {
			delete(env, k)
		} else {
			env[k] = v
		}
	}
	var environ []string
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}

	creds := filepath.Join(e.Dir, "state-credentials")
	remove, err := mgmt.WriteCredentialsFile(ctx, creds, "tfrebuild-state")
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(creds); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file mode: %v %v", fi, err)
	}

	run := func(name, profileLines string) (string, error) {
		dir := filepath.Join(e.Dir, name)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		main := "terraform {\n  backend \"s3\" {}\n}\n"
		backend := fmt.Sprintf(`bucket = %q
key = "acct-backend/%s/terraform.tfstate"
region = %q
dynamodb_table = %q
endpoints = { s3 = %q, dynamodb = %q, sts = %q }
use_path_style = true
skip_credentials_validation = true
skip_requesting_account_id = true
skip_metadata_api_check = true
skip_region_validation = true
%s`, st.Bucket, name, region, st.LockTable, e.Moto.URL, e.Moto.URL, e.Moto.URL, profileLines)
		for file, text := range map[string]string{"main.tf": main, "backend.hcl": backend} {
			if err := os.WriteFile(filepath.Join(dir, file), []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		var out strings.Builder
		for _, args := range [][]string{
			{"init", "-input=false", "-no-color", "-backend-config=backend.hcl"},
			{"apply", "-input=false", "-no-color", "-auto-approve"},
		} {
			cmd := exec.CommandContext(ctx, "terraform", args...)
			cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, environ, &out, &out
			if err := cmd.Run(); err != nil {
				return out.String(), err
			}
		}
		return out.String(), nil
	}

	profile := fmt.Sprintf("profile = %q\nshared_credentials_files = [%q]\n", "tfrebuild-state", creds)
	if out, err := run("with-profile", profile); err != nil {
		t.Fatalf("the backend did not reach the state account through the profile: %v\n%s", err, out)
	}
	states := &tfstate.Client{S3: mgmt.S3, DDB: mgmt.DDB}
	if exists, err := states.Exists(ctx, tfstate.Location{Bucket: st.Bucket, Key: "acct-backend/with-profile/terraform.tfstate", Owner: mgmtID}); err != nil || !exists {
		t.Errorf("no state written: %t %v", exists, err)
	}
	if out, err := run("without-profile", ""); err == nil || !strings.Contains(out, "ResourceNotFoundException") {
		t.Errorf("with the target's keys alone the backend should miss the lock table, which is in the management account: %v\n%s", err, out)
	}
	if err := remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(creds); !os.IsNotExist(err) {
		t.Errorf("the credentials file outlived its command: %v", err)
	}
}
