package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// kill -9 of tfrebuild inside the shared stack's create window, with the
// real AWS provider: Terraform must get the interrupt it handles and save
// what it created, nothing the run started may survive it, and a plain
// resume must complete with every resource in state once and the key it
// generated the one SSM holds. Terraform killed outright (the old
// Pdeathsig: SIGKILL) saved nothing: the resume failed on
// ParameterAlreadyExists or BucketAlreadyOwnedByYou, and the provisioner's
// child lived on.
func TestKill9InCreateWindow(t *testing.T) {
	t.Parallel()
	for _, gate := range []string{"start", "key", "stored", "all"} {
		t.Run(gate, func(t *testing.T) {
			t.Parallel()
			m, mirror := ordersMoto(t)
			o := newOrders(t, m, mirror, "eu-west-2")
			o.addCrashGates()
			killAtGateAndResume(t, o, gate)
		})
	}
}

func killAtGateAndResume(t *testing.T, o *orders, gate string) {
	tag := fmt.Sprintf("%s-%d", t.Name(), time.Now().UnixNano())
	cmd, out, markers := o.startTagged(tag, "CRASH_AT="+gate)
	waitGate(t, cmd, out, markers, gate)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	waitNoSurvivors(t, tag)
	t.Logf("killed run:\n%s", out)

	res := o.apply()
	t.Logf("resume:\n%s", res.Stderr)
	st := o.stateOf("shared")
	counts := st.counts()
	var addrs []string
	for _, a := range []string{"aws_s3_bucket.uploads", "aws_dynamodb_table.orders", "random_string.api_key",
		"aws_ssm_parameter.api_key", "aws_ssm_parameter.uploads_bucket", "aws_ssm_parameter.orders_table",
		"terraform_data.gate_start", "terraform_data.gate_key", "terraform_data.gate_stored", "terraform_data.gate_all"} {
		if counts[a] != 1 {
			addrs = append(addrs, fmt.Sprintf("%s: %d", a, counts[a]))
		}
	}
	sort.Strings(addrs)
	if len(addrs) > 0 {
		t.Errorf("resources not in shared's state exactly once after the resume: %v", addrs)
	}
	key := st.attribute("random_string.api_key", "result")
	if stored, _, ok := o.param("/orders/shared/partner-api-key"); !ok || key == "" || stored != key {
		t.Errorf("the key in state (%d characters) is not the one SSM holds (%d characters, exists %v)", len(key), len(stored), ok)
	}
}

// The var file (with the partner key's inputs and every other value in
// clear) and the credentials files a killed run leaves go with the next
// command of any kind, status included, not only with the next apply.
func TestCrashLeftoversGoWithAnyCommand(t *testing.T) {
	t.Parallel()
	m, mirror := ordersMoto(t)
	o := newOrders(t, m, mirror, "eu-west-2")
	o.addCrashGates()
	tag := fmt.Sprintf("%s-%d", t.Name(), time.Now().UnixNano())
	cmd, out, markers := o.startTagged(tag, "CRASH_AT=key")
	waitGate(t, cmd, out, markers, "key")
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	waitNoSurvivors(t, tag)
	if len(o.leftovers()) == 0 {
		t.Fatal("the killed run left no var file: the test proves nothing")
	}
	wantCode(t, o.run("status"), 0)
	if left := o.leftovers(); len(left) > 0 {
		t.Errorf("status left what the killed run wrote: %v", left)
	}
}

// leftovers are the var files, saved plans and credentials files in the
// copy's work folders.
func (o *orders) leftovers() []string {
	o.t.Helper()
	var out []string
	for _, pattern := range []string{"inputs.tfvars.json", "plan.tfplan", "state-credentials"} {
		found, _ := filepath.Glob(filepath.Join(o.dir, ".tfrebuild", "*", "*", pattern))
		out = append(out, found...)
	}
	return out
}

// The emulator is wiped while the shared stack is being created: its
// engine cannot save the state and keeps errored.tfstate. The next plain
// apply pushes it back before the stack runs (no stored state: the
// engine's rules allow it) and says so, and the key the failed run made is
// kept; it used to re-create the stack from an empty state, with a new
// key, and say nothing.
func TestErroredStatePushedBack(t *testing.T) {
	t.Parallel()
	forEachEngine(t, erroredStatePushedBack)
}

func erroredStatePushedBack(t *testing.T, e engine) {
	o, lost := erroredShared(t, e, "errored-"+t.Name())

	res := o.apply()
	t.Logf("resume:\n%s", res.Stderr)
	if !strings.Contains(res.Stderr, "pushed back the state") {
		t.Errorf("the resume did not say it pushed the errored state back:\n%s", res.Stderr)
	}
	// The key the failed run generated is in the errored state; a stack
	// re-created from an empty state makes another.
	made := lost.attribute("random_string.api_key", "result")
	if got := o.stateOf("shared").attribute("random_string.api_key", "result"); made == "" || got != made {
		t.Errorf("the shared stack's key (%d characters) is not the one the errored state kept (%d characters): the state was made afresh", len(got), len(made))
	}
	if left, _ := filepath.Glob(filepath.Join(o.dir, ".tfrebuild", "work", "shared", "errored-*.tfstate")); len(left) > 0 {
		t.Errorf("the pushed errored state is still pending: %v", left)
	}
}

// erroredShared runs an apply whose emulator is wiped while the shared
// stack is being created, so that its engine cannot save the state and
// keeps errored.tfstate; it returns the target and that kept state.
func erroredShared(t *testing.T, e engine, tag string) (*orders, rawState) {
	t.Helper()
	m, mirror := ordersMoto(t)
	o := ordersOn(newOrders(t, m, mirror, "eu-west-2"), e)
	o.addCrashGates()
	cmd, out, markers := o.startTagged(tag, "HOLD_AT=stored")
	waitGate(t, cmd, out, markers, "stored")
	resetMoto(t, m.URL)
	writeFile(t, filepath.Join(markers, "release"), "")
	if err := cmd.Wait(); err == nil {
		t.Fatalf("the run whose state bucket vanished succeeded:\n%s", out)
	}
	errored, _ := filepath.Glob(filepath.Join(o.dir, ".tfrebuild", "work", "shared", "errored-*.tfstate"))
	if len(errored) != 1 {
		t.Fatalf("want one errored state kept, got %v\n%s", errored, out)
	}
	var lost rawState
	if err := json.Unmarshal([]byte(readFile(t, errored[0])), &lost); err != nil {
		t.Fatal(err)
	}
	return o, lost
}

// resetMoto wipes everything the emulator holds.
func resetMoto(t *testing.T, url string) {
	t.Helper()
	resp, err := http.Post(url+"/moto-api/reset", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

// The same kill -9 with the state in another account (state { account =
// … }): the engine saves the state and releases its lock there, with that
// account's credentials, and the resume completes. It used to be 0 of 3
// resumable: the resume deleted the leftover credentials file and then
// ran force-unlock without it.
func TestKill9InCreateWindowStateInAnotherAccount(t *testing.T) {
	t.Parallel()
	for _, gate := range []string{"key", "stored"} {
		t.Run(gate, func(t *testing.T) {
			t.Parallel()
			m, mirror := ordersMoto(t)
			o := newOrders(t, m, mirror, "eu-west-2")
			o.stateIn(mgmtID)
			o.addCrashGates()
			killAtGateAndResume(t, o, gate)
			if !bucketIn(t, o.stateConfig(), o.stateBucket()) {
				t.Errorf("the state bucket is not in the state's account %s", mgmtID)
			}
		})
	}
}

// The kill -9 on OpenTofu, at the gate after the key is stored.
func TestKill9InCreateWindowOpenTofu(t *testing.T) {
	t.Parallel()
	m, mirror := ordersMoto(t)
	o := ordersOn(newOrders(t, m, mirror, "eu-west-2"), engines[1])
	o.addCrashGates()
	killAtGateAndResume(t, o, "stored")
}
