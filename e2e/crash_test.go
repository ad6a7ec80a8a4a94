package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
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
	testenv.Until(t, 5*time.Minute, "the run to reach gate "+gate, func() bool {
		_, err := os.Stat(filepath.Join(markers, gate))
		return err == nil
	})
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
	cmd, _, markers := o.startTagged(tag, "CRASH_AT=key")
	testenv.Until(t, 5*time.Minute, "the run to reach gate key", func() bool {
		_, err := os.Stat(filepath.Join(markers, "key"))
		return err == nil
	})
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
