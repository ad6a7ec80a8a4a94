package terraform

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// A stack's own env reaches its Terraform processes, its credentials are
// asked for before each command, and its var files come before the
// generated one.
func TestStackEnvCredentialsAndVarFiles(t *testing.T) {
	t.Parallel()
	b := newBed(t, nil)
	ctx := context.Background()
	userVars := filepath.Join(t.TempDir(), "user.tfvars.json")
	cmd := `echo "$STACK_MARK $STACK_CRED" > env-seen.txt`
	if err := os.WriteFile(userVars, []byte(`{"command": "`+strings.ReplaceAll(cmd, `"`, `\"`)+`", "name": "from-user-file"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	var asked atomic.Int32
	s := b.stack("blue", nil)
	s.Env = map[string]string{"STACK_MARK": "mark"}
	s.VarFiles = []string{userVars}
	s.Credentials = func(context.Context) (map[string]string, error) {
		n := asked.Add(1)
		return map[string]string{"STACK_CRED": "cred" + string(rune('0'+n))}, nil
	}
	if _, err := b.runner.Apply(ctx, s); err != nil {
		t.Fatal(err)
	}
	outs, err := b.runner.Outputs(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if got := outs.Values["greeting"].AsString(); got != "HELLO BLUE" {
		t.Errorf("the generated var file wins over the user's: greeting %q", got)
	}
	// init, plan, apply and the outputs each ask for fresh credentials.
	if n := asked.Load(); n < 3 {
		t.Errorf("credentials asked %d times, want before each command", n)
	}
	seen, err := os.ReadFile(filepath.Join(b.runner.Workdir("blue").CopyDir(), "stacks", "app", "env-seen.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if f := strings.Fields(string(seen)); len(f) != 2 || f[0] != "mark" || !strings.HasPrefix(f[1], "cred") || f[1] == "cred1" {
		t.Errorf("the apply saw %q; want the stack's env and credentials refreshed after init's", seen)
	}
	bad := b.stack("green", nil)
	bad.Env = map[string]string{"TF_VAR_name": "x"}
	if _, err := b.runner.Apply(ctx, bad); err == nil || !strings.Contains(err.Error(), "TF_VAR_name") || !strings.Contains(err.Error(), "stack green") {
		t.Errorf("an env terraform-exec refuses should be a clear error: %v", err)
	}
}

// Import adopts an object into a stack's state with the stack's inputs;
// StateHas tells what the state holds.
func TestImportAndStateHas(t *testing.T) {
	t.Parallel()
	b := newBed(t, nil)
	ctx := context.Background()
	s := b.stack("restored", map[string]cty.Value{"fail": cty.True})
	if has, err := b.runner.StateHas(ctx, s, "terraform_data.items"); err != nil || has {
		t.Fatalf("an empty state has nothing: %v %v", has, err)
	}
	if err := b.runner.Import(ctx, s, "terraform_data.items[1]", "adopted-id"); err != nil {
		t.Fatal(err)
	}
	for addr, want := range map[string]bool{"terraform_data.items[1]": true, "terraform_data.items": true, "terraform_data.items[0]": false, "terraform_data.app": false} {
		if has, err := b.runner.StateHas(ctx, s, addr); err != nil || has != want {
			t.Errorf("StateHas(%s) = %v, %v; want %v", addr, has, err, want)
		}
	}
	if _, err := os.Stat(b.runner.Workdir("restored").VarFile()); !os.IsNotExist(err) {
		t.Errorf("the var file outlives the import: %v", err)
	}
}

func TestAddresses(t *testing.T) {
	t.Parallel()
	state := `{"version":4,"resources":[
	 {"mode":"managed","type":"aws_s3_bucket","name":"b","instances":[{}]},
	 {"module":"module.m","mode":"data","type":"x","name":"y","instances":[{"index_key":0},{"index_key":"k"}]}]}`
	got, err := addresses([]byte(state))
	if err != nil {
		t.Fatal(err)
	}
	want := `aws_s3_bucket.b module.m.data.x.y[0] module.m.data.x.y["k"]`
	if strings.Join(got, " ") != want {
		t.Errorf("addresses: %q", got)
	}
}

func TestOutputsFromState(t *testing.T) {
	t.Parallel()
	state := `{"version":4,"outputs":{"url":{"value":"http://x","type":"string"},"key":{"value":"k","type":"string","sensitive":true},"ids":{"value":[1,2],"type":["list","number"]}}}`
	outs, err := OutputsFromState([]byte(state))
	if err != nil {
		t.Fatal(err)
	}
	if outs.Values["url"].AsString() != "http://x" || !outs.Sensitive["key"] || outs.Sensitive["url"] || outs.Values["ids"].LengthInt() != 2 {
		t.Errorf("outputs: %#v", outs)
	}
	if outs, err := OutputsFromState(nil); err != nil || len(outs.Values) != 0 {
		t.Errorf("no state, no outputs: %v %v", outs, err)
	}
	if _, err := OutputsFromState([]byte(`{"version":3}`)); err == nil {
		t.Error("an old state format should be refused")
	}
}
