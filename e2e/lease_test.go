package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
	"github.com/tfrebuild/tfrebuild/lease"
)

// gated is a target whose stack "gate" holds its apply still until the
// test opens the gate, and whose stack "after" follows it.
type gated struct {
	*target
	gate string
}

// gatedTarget writes the config; lockfiles puts the state's locks (and the
// run lease) in S3 lock files instead of the lock table.
func gatedTarget(t *testing.T, e engine, project string, lockfiles bool) *gated {
	t.Helper()
	g := &gated{target: e.target(t, project), gate: filepath.Join(t.TempDir(), "gate")}
	g.writeTo(g.dir, lockfiles)
	return g
}

func (g *gated) writeTo(dir string, lockfiles bool) {
	g.t.Helper()
	stacks, err := filepath.Abs(filepath.Join("testdata", "stacks"))
	if err != nil {
		g.t.Fatal(err)
	}
	src := g.header(testenv.Account)
	if lockfiles {
		src = strings.Replace(src, `lock_table              = "`+g.project+`-lock"`, `use_lockfile            = true`, 1)
	}
	src += `
stack "gate" {
  source = "` + stacks + `/hold"
  inputs = { gate = "` + g.gate + `" }
}
stack "after" {
  source = "` + stacks + `/base"
  inputs = { name = stack.gate.outputs.gate }
}
`
	if err := os.MkdirAll(dir, 0o755); err != nil {
		g.t.Fatal(err)
	}
	writeFile(g.t, filepath.Join(dir, "rebuild.hcl"), src)
}

// checkout is a second folder with the same config: another operator's
// clone, on the same emulator.
func (g *gated) checkout(lockfiles bool) *target {
	other := &target{t: g.t, env: g.env, dir: g.t.TempDir(), project: g.project, tofu: g.tofu}
	g.writeTo(other.dir, lockfiles)
	return other
}

func (g *gated) waitAtGate() {
	g.t.Helper()
	testenv.Until(g.t, 3*time.Minute, "the gate stack to start its apply", func() bool {
		_, err := os.Stat(filepath.Join(g.gate, "waiting"))
		return err == nil
	})
}

func (g *gated) open() { writeFile(g.t, filepath.Join(g.gate, "open"), "") }

// finish waits for a run started in the background and returns its exit code.
func finish(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	err := cmd.Wait()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode()
}

// TestTwoCheckoutsOneTarget: while one checkout applies, another checkout
// of the same config is refused, apply and destroy --all alike, with the
// holder named; once the first has finished, the second runs. Each
// checkout has its own file checkpoint: the run lease in the target's
// backend is what they share.
func TestTwoCheckoutsOneTarget(t *testing.T) {
	t.Parallel()
	for _, backend := range []string{"table", "lockfile"} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			forEachEngine(t, func(t *testing.T, e engine) { twoCheckouts(t, e, backend == "lockfile") })
		})
	}
}

func twoCheckouts(t *testing.T, e engine, lockfiles bool) {
	g := gatedTarget(t, e, "twocheckouts"+map[bool]string{true: "-lf"}[lockfiles], lockfiles)
	second := g.checkout(lockfiles)
	first, firstErr := g.start("apply", "--yes")
	defer func() { _ = first.Process.Kill() }()
	g.waitAtGate()

	for _, args := range [][]string{{"apply", "--yes"}, {"destroy", "--all", "--yes"}} {
		res := runWithin(t, second, 2*time.Minute, args...)
		wantCode(t, res, 1)
		out := res.Stdout + res.Stderr
		for _, want := range []string{"another tfrebuild is driving this target", filepath.Join(g.dir, "rebuild.hcl"), "run lease"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s from the second checkout: output lacks %q:\n%s", args[0], want, out)
			}
		}
	}
	if !g.bucketExists() {
		t.Fatal("the second checkout's destroy --all deleted the state bucket under the running apply")
	}
	g.open()
	if code := finish(t, first); code != 0 {
		t.Fatalf("the first apply: exit %d\n%s", code, firstErr)
	}
	wantCode(t, runWithin(t, second, 3*time.Minute, "apply", "--yes"), 0)
	if g.state("after") == nil {
		t.Error("no state for stack after")
	}
}

// runWithin runs tfrebuild in a target's folder, killing it if it has not
// ended within limit: a run that waits on another's lock fails the test
// instead of hanging it.
func runWithin(t *testing.T, tg *target, limit time.Duration, args ...string) testenv.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, testenv.Binary(t), args...)
	cmd.Dir, cmd.Env = tg.dir, tg.env.Environ()
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("tfrebuild %v did not end within %s (it should have been refused)\n%s", args, limit, errb.String())
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return testenv.Result{Stdout: out.String(), Stderr: errb.String(), Code: cmd.ProcessState.ExitCode()}
}

// TestStolenLeaseStopsTheRun: another run takes the lease over while this
// one is inside a stack (simulated by overwriting the lease item); this
// run stops before its next write, saying so.
func TestStolenLeaseStopsTheRun(t *testing.T) {
	t.Parallel()
	g := gatedTarget(t, engine{name: "terraform"}, "stolenlease", false)
	run, stderr := g.start("apply", "--yes")
	defer func() { _ = run.Process.Kill() }()
	g.waitAtGate()
	// The run proved its lease last before the gate stack started: a
	// lease proved less than lease.Fresh ago counts as proved (no run can
	// take over a live holder's lease so soon), so the theft is staged
	// once that has passed, as a real takeover (90 s on) would be.
	atGate := time.Now()
	testenv.Until(t, time.Minute, "the run's last proof of its lease to be older than lease.Fresh", func() bool {
		return time.Since(atGate) > lease.Fresh
	})

	now := time.Now().UTC()
	body, _ := json.Marshal(map[string]any{"run_id": "thief", "host": "elsewhere", "pid": 1, "user": "mallory", "since": now, "heartbeat": now, "token": 99})
	db := dynamodb.NewFromConfig(g.awsConfig())
	_, err := db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(g.project + "-lock"), Item: map[string]ddbtypes.AttributeValue{
		"LockID":  &ddbtypes.AttributeValueMemberS{Value: "tfrebuild/" + g.project + "/" + testenv.Account + "/eu-west-2/lease"},
		"Holder":  &ddbtypes.AttributeValueMemberS{Value: string(body)},
		"Version": &ddbtypes.AttributeValueMemberN{Value: "1000"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	g.open()
	if code := finish(t, run); code == 0 {
		t.Fatalf("the run went on after losing its lease:\n%s", stderr)
	}
	for _, want := range []string{"lost its run lease", "thief", "before its next write"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if g.state("after") != nil {
		t.Error("stack after was applied after the run had lost its lease")
	}
}
