package terraform

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/tfrebuild/tfrebuild/internal/testenv"

	"github.com/zclconf/go-cty/cty"
)

// Blue and green share one source directory, whose stack calls a module
// through ../../modules that calls another through ../shout. Init, plan,
// apply and a failed apply of both, in parallel, leave the source tree
// exactly as it was.
func TestSourceTreeIsNeverWritten(t *testing.T) {
	t.Parallel()
	b := newBed(t, nil)
	before := snapshot(t, b.src)
	ctx := context.Background()
	var wg sync.WaitGroup
	for _, name := range []string{"blue", "green"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// local-exec runs in Terraform's working directory: it writes there.
			s := b.stack(name, map[string]cty.Value{"command": cty.StringVal("echo ran > written-by-apply.txt")})
			res, err := b.runner.Apply(ctx, s)
			if err != nil {
				t.Errorf("apply %s: %v", name, err)
				return
			}
			outs, err := b.runner.Outputs(ctx, s)
			if err != nil {
				t.Errorf("outputs %s: %v", name, err)
				return
			}
			want := "HELLO " + strings.ToUpper(name)
			if got := outs.Values["greeting"]; !got.RawEquals(cty.StringVal(want)) || !res.Changed {
				t.Errorf("%s: greeting %#v, changed %v; want %q", name, got, res.Changed, want)
			}
			if !outs.Sensitive["api_key"] || outs.Values["api_key"].AsString() != "s3cr3t-"+name+"-key" {
				t.Errorf("%s: api_key must come back, marked sensitive: %#v", name, outs)
			}
		}()
	}
	wg.Wait()
	if _, err := b.runner.Plan(ctx, b.stack("blue", nil)); err != nil {
		t.Fatalf("plan: %v", err)
	}
	empty := b.stack("empty", nil)
	empty.Wrap, empty.Outputs = true, map[string]bool{"greeting": false}
	if _, err := b.runner.Plan(ctx, empty); err != nil {
		t.Fatalf("plan against an empty state: %v", err)
	}
	_, err := b.runner.Apply(ctx, b.stack("green", map[string]cty.Value{"fail": cty.True, "name": cty.StringVal("changed")}))
	var se *StackError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "simulated provisioning failure") {
		t.Fatalf("a failing apply should fail with Terraform's error: %v", err)
	}
	sameTree(t, before, snapshot(t, b.src))
	// The working copy is where Terraform ran, inside the work folder.
	copyDir := filepath.Join(b.runner.Workdir("blue").CopyDir(), "stacks", "app")
	if _, err := os.Stat(filepath.Join(copyDir, "written-by-apply.txt")); err != nil {
		t.Errorf("Terraform did not run in the working copy %s: %v", copyDir, err)
	}
}

func TestWorkCopyKeepsRelativeModulesValid(t *testing.T) {
	t.Parallel()
	src := filepath.Join(t.TempDir(), "tree")
	if err := os.CopyFS(src, os.DirFS("testdata/tree")); err != nil {
		t.Fatal(err)
	}
	stack := filepath.Join(src, "stacks", "app")
	s := at(Stack{}, src, stack)
	// Not in the file set: the copy holds the listed files only.
	if err := os.WriteFile(filepath.Join(stack, "errored.tfstate"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "src")
	dir, err := workCopy(stack, s.Files, dst, []byte("# lock\n"))
	if err != nil {
		t.Fatal(err)
	}
	if dir != filepath.Join(dst, "stacks", "app") {
		t.Errorf("working dir %s, want the stack's place under the modules' common root", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "errored.tfstate")); err == nil {
		t.Error("a file outside the file set is not part of the copy")
	}
	if got, _ := os.ReadFile(filepath.Join(dir, LockFileName)); string(got) != "# lock\n" {
		t.Errorf("lock file in the copy: %q", got)
	}
	for _, rel := range []string{"main.tf", "../../modules/greet/main.tf", "../../modules/shout/main.tf"} {
		if info, err := os.Lstat(filepath.Join(dir, rel)); err != nil || !info.Mode().IsRegular() {
			t.Errorf("%s should be a copy in the working copy: %v %v", rel, info, err)
		}
	}
	if _, err := workCopy(stack, nil, dst, nil); err == nil || !strings.Contains(err.Error(), "Stack.Files") {
		t.Errorf("a stack without its file list should be refused, saying who lists it: %v", err)
	}
}

// A file that stopped being a regular file after it was listed (here a
// pipe in place of main.tf) is refused, not read.
func TestWorkCopyRefusesWhatIsNotAFile(t *testing.T) {
	t.Parallel()
	stack := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(stack, "main.tf"), 0o600); err != nil {
		t.Skip("no named pipes here:", err)
	}
	_, err := workCopy(stack, []string{"main.tf"}, filepath.Join(t.TempDir(), "src"), nil)
	if err == nil || !strings.Contains(err.Error(), "main.tf") || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("want an error naming main.tf as not a regular file: %v", err)
	}
}

func TestCommonDir(t *testing.T) {
	t.Parallel()
	cases := [][3]string{
		{"/a/b/c", "/a/b/d", "/a/b"},
		{"/a/b", "/a/b/c", "/a/b"},
		{"/a/bc", "/a/b", "/a"},
		{"/x", "/y", "/"},
	}
	for _, c := range cases {
		if got := commonDir(c[0], c[1]); got != c[2] {
			t.Errorf("commonDir(%s, %s) = %s, want %s", c[0], c[1], got, c[2])
		}
	}
}

// Terraform writes errored.tfstate into its working directory when it
// cannot save the state. Here the emulator loses the state bucket during
// the apply: the file lands in the work folder, the error says how to push
// it back, and that command works once the bucket is back.
func TestErroredStateIsKeptAndPushable(t *testing.T) {
	t.Parallel()
	t.Run("terraform", func(t *testing.T) { t.Parallel(); erroredStateIsKept(t, "") })
	t.Run("opentofu", func(t *testing.T) { tofu := tofuPath(t); t.Parallel(); erroredStateIsKept(t, tofu) })
}

// erroredStateIsKept runs the scenario with Terraform, or with the
// OpenTofu at tofu.
func erroredStateIsKept(t *testing.T, tofu string) {
	testenv.Require(t, "moto_server", "curl")
	moto, err := testenv.StartMoto(context.Background(), filepath.Join(t.TempDir(), "moto.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(moto.Stop)
	b := newBed(t, moto)
	if tofu != "" {
		b.runner.Binary = &Binary{Path: tofu, Version: "1.12.6", Engine: EngineOpenTofu}
	}
	before := snapshot(t, b.src)
	ctx := context.Background()
	wipe := cty.StringVal("curl -sf -X POST " + moto.URL + "/moto-api/reset")
	_, err = b.runner.Apply(ctx, b.stack("blue", map[string]cty.Value{"command": wipe}))
	var se *StackError
	if !errors.As(err, &se) || se.Errored == "" {
		t.Fatalf("want a StackError naming the errored state: %v", err)
	}
	sameTree(t, before, snapshot(t, b.src))
	if filepath.Dir(se.Errored) != string(b.runner.Workdir("blue")) {
		t.Errorf("errored state at %s, want it in the work folder", se.Errored)
	}
	if !strings.Contains(err.Error(), se.PushCommand) || !strings.Contains(se.PushCommand, "state push") {
		t.Errorf("the error should carry the push command %q:\n%v", se.PushCommand, err)
	}
	b.createBucket(t)
	cmd := exec.Command("sh", "-c", se.PushCommand)
	cmd.Env = b.env.Environ()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", se.PushCommand, err, out)
	}
	has, err := b.runner.StateHas(ctx, b.stack("blue", nil), "terraform_data.app")
	if err != nil || !has {
		t.Errorf("after the push the state holds terraform_data.app: %v %v", has, err)
	}
}
