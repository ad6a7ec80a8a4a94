package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

// #21.2: the machine dies mid-create, tfrebuild and Terraform with it
// (kill -9 of every process of the run), after the partner key, the
// bucket, the table and their parameters are made, before Terraform
// saved its state. The
// resume's creates find them; they were started by this rebuild (on
// record), so the resume adopts them and completes, with the key SSM
// holds the one in the state. It used to fail on ParameterAlreadyExists
// for ever.
func TestOrphansOfADeadMachineAreAdopted(t *testing.T) {
	t.Parallel()
	forEachEngine(t, orphansOfADeadMachineAreAdopted)
}

func orphansOfADeadMachineAreAdopted(t *testing.T, e engine) {
	m, mirror := ordersMoto(t)
	o := ordersOn(newOrders(t, m, mirror, "eu-west-2"), e)
	o.addCrashGates()
	tag := fmt.Sprintf("%s-%d", t.Name(), time.Now().UnixNano())
	cmd, out, markers := o.startTagged(tag, "CRASH_AT=all", "TF_STATE_PERSIST_INTERVAL=3600")
	waitGate(t, cmd, out, markers, "all")
	// The checkpoint is saved behind the run: the machine dies once it
	// has recorded the creates (a create it had not recorded yet is
	// reported, not adopted: TestAForeignOrphanIs…).
	testenv.Until(t, time.Minute, "the checkpoint to record shared's creates", func() bool {
		var ck struct {
			Stages map[string]struct {
				Creating []string `json:"creating"`
			} `json:"stages"`
		}
		b, _ := os.ReadFile(filepath.Join(o.dir, ".tfrebuild", "checkpoint.json"))
		_ = json.Unmarshal(b, &ck)
		rec := strings.Join(ck.Stages["stack.shared"].Creating, " ")
		return strings.Contains(rec, "aws_ssm_parameter.uploads_bucket") && strings.Contains(rec, "aws_ssm_parameter.orders_table")
	})
	killTagged(t, tag) // the machine is gone: nothing saves anything
	_ = cmd.Wait()
	waitNoSurvivors(t, tag)
	if _, _, ok := o.param("/orders/shared/partner-api-key"); !ok {
		t.Fatalf("the key is not in SSM at gate stored: the test proves nothing\n%s", out)
	}
	if st := o.stateMaybe("shared"); st != nil && st.counts()["aws_ssm_parameter.api_key"] > 0 {
		t.Fatal("the killed Terraform saved the parameter in the state: the test proves nothing")
	}

	res := o.apply()
	t.Logf("resume:\n%s", res.Stderr)
	for _, a := range []string{"aws_ssm_parameter.api_key", "aws_s3_bucket.uploads"} {
		if !strings.Contains(res.Stderr, "adopted "+a) {
			t.Errorf("the resume does not say it adopted %s", a)
		}
	}
	st := o.stateOf("shared")
	for _, a := range []string{"aws_ssm_parameter.api_key", "aws_s3_bucket.uploads", "random_string.api_key"} {
		if n := st.counts()[a]; n != 1 {
			t.Errorf("%s is in shared's state %d times", a, n)
		}
	}
	key := st.attribute("random_string.api_key", "result")
	if stored, _, _ := o.param("/orders/shared/partner-api-key"); key == "" || stored != key {
		t.Errorf("the key in state (%d characters) is not the one SSM holds (%d characters)", len(key), len(stored))
	}
}

// An object of a stack's name that nothing on record says this target
// made (someone else's, or left by hand) is never taken over: the apply
// stops naming it, with the command that adopts it once a person has
// checked it; that command, pasted, adopts it and finishes the rebuild.
func TestAForeignOrphanIsReportedWithTheCommandThatAdoptsIt(t *testing.T) {
	t.Parallel()
	forEachEngine(t, aForeignOrphanIsReportedWithTheCommandThatAdoptsIt)
}

func aForeignOrphanIsReportedWithTheCommandThatAdoptsIt(t *testing.T, e engine) {
	m, mirror := ordersMoto(t)
	o := ordersOn(newOrders(t, m, mirror, "eu-west-2"), e)
	_, err := o.ssm().PutParameter(context.Background(), &ssm.PutParameterInput{Name: aws.String("/orders/shared/partner-api-key"),
		Value: aws.String("planted-by-hand"), Type: ssmtypes.ParameterTypeSecureString})
	if err != nil {
		t.Fatal(err)
	}
	res := o.run("apply", "--yes", "--with", "green")
	wantCode(t, res, 1)
	if !strings.Contains(res.Stderr, "aws_ssm_parameter.api_key exists already outside the state of stack shared") {
		t.Fatalf("the apply does not name the object that exists:\n%s", res.Stderr)
	}
	if strings.Contains(res.Stderr, "adopted aws_ssm_parameter.api_key") {
		t.Fatal("a parameter nothing says this target made was adopted")
	}
	line := hint(t, res.Stderr, `adopt it and continue with:\s+(tfrebuild apply [^\r\n]*)`)
	if !strings.Contains(line, "--adopt shared:aws_ssm_parameter.api_key=/orders/shared/partner-api-key") {
		t.Errorf("the command does not adopt the parameter by its name: %s", line)
	}
	got, code := pasteIn(t, o.dir, o.env.Environ(), line)
	if code != 0 {
		t.Fatalf("%s: exit %d\n%s", line, code, got)
	}
	st := o.stateOf("shared")
	key := st.attribute("random_string.api_key", "result")
	if stored, _, _ := o.param("/orders/shared/partner-api-key"); st.counts()["aws_ssm_parameter.api_key"] != 1 || key == "" || stored != key {
		t.Errorf("after the adoption the state and SSM disagree (state has it %d times)", st.counts()["aws_ssm_parameter.api_key"])
	}
}

// stateMaybe is stateOf, nil when the stack has no state object yet.
func (o *orders) stateMaybe(stack string) *rawState {
	o.t.Helper()
	_, err := o.stateS3().HeadObject(context.Background(), &s3.HeadObjectInput{
		Bucket: aws.String(o.stateBucket()),
		Key:    aws.String("orders/" + stack + "/terraform.tfstate")})
	var nf *s3types.NotFound
	if errors.As(err, &nf) {
		return nil
	}
	return o.stateOf(stack)
}

// killTagged kills -9 every live process of the tagged run at once, as
// the loss of the machine would: every process is stopped first (none
// of them reacts to another's death), scanning again until a scan finds
// nothing new, since a process may fork between a scan and the stop;
// then all are killed, again until none is left.
func killTagged(t *testing.T, tag string) {
	t.Helper()
	stopped := map[int]bool{}
	for more := true; more; {
		more = false
		for _, pid := range taggedPids(tag) {
			if !stopped[pid] {
				_ = syscall.Kill(pid, syscall.SIGSTOP)
				stopped[pid], more = true, true
			}
		}
	}
	for pid := range stopped {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	testenv.Until(t, time.Minute, "every process of the killed run to be gone", func() bool {
		left := taggedPids(tag)
		for _, pid := range left {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		return len(left) == 0
	})
}

// taggedPids is the process IDs of tagged(tag), the test's own left out.
func taggedPids(tag string) []int {
	var pids []int
	for _, p := range tagged(tag) {
		if pid, err := strconv.Atoi(strings.SplitN(p, ":", 2)[0]); err == nil && pid != os.Getpid() {
			pids = append(pids, pid)
		}
	}
	return pids
}
