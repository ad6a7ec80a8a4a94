package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

// crashGates are resources the crash tests add to their copy of the
// orders example's shared stack: each drops a marker named after itself in
// $CRASH_MARKERS when Terraform reaches it, and the one named by $CRASH_AT
// then holds the create window open (its provisioner runs a child that
// sleeps, as a deploy script would) for the test to kill tfrebuild in; the
// one named by $HOLD_AT waits for a release file instead. A gate holds
// only once: a resume passes it.
const crashGates = `
locals {
  gate = <<-EOT
    m="$CRASH_MARKERS"; [ -n "$m" ] || exit 0
    [ -e "$m/$GATE" ] && exit 0
    touch "$m/$GATE"
    [ "$CRASH_AT" = "$GATE" ] && sleep 600
    if [ "$HOLD_AT" = "$GATE" ]; then
      while [ ! -e "$m/release" ]; do sleep 0.1; done
    fi
    exit 0
  EOT
}

# Reached as the first resources are being created.
resource "terraform_data" "gate_start" {
  provisioner "local-exec" {
    command     = local.gate
    environment = { GATE = "start" }
  }
}

# The key is made (in Terraform's memory only), not stored yet.
resource "terraform_data" "gate_key" {
  triggers_replace = [random_string.api_key.id]
  provisioner "local-exec" {
    command     = local.gate
    environment = { GATE = "key" }
  }
}

# The key is stored in SSM and the bucket exists.
resource "terraform_data" "gate_stored" {
  depends_on = [aws_ssm_parameter.api_key, aws_s3_bucket.uploads]
  provisioner "local-exec" {
    command     = local.gate
    environment = { GATE = "stored" }
  }
}

# Everything of the stack exists.
resource "terraform_data" "gate_all" {
  depends_on = [aws_ssm_parameter.api_key, aws_ssm_parameter.uploads_bucket, aws_ssm_parameter.orders_table]
  provisioner "local-exec" {
    command     = local.gate
    environment = { GATE = "all" }
  }
}
`

// addCrashGates adds the gates to the copy's shared stack, the key's
// parameter behind gate_key.
func (o *orders) addCrashGates() {
	o.t.Helper()
	dir := filepath.Join(o.dir, "stacks", "shared")
	writeFile(o.t, filepath.Join(dir, "crash_gates.tf"), crashGates)
	main := filepath.Join(dir, "main.tf")
	src := readFile(o.t, main)
	const param = `resource "aws_ssm_parameter" "api_key" {`
	if !strings.Contains(src, param) {
		o.t.Fatalf("%s has no %s", main, param)
	}
	writeFile(o.t, main, strings.Replace(src, param, param+"\n  depends_on = [terraform_data.gate_key]", 1))
}

// startTagged runs tfrebuild in the background with a tag in its
// environment, which every process it starts inherits, and the gate
// variables.
func (o *orders) startTagged(tag string, extra ...string) (*exec.Cmd, *bytes.Buffer, string) {
	o.t.Helper()
	markers := filepath.Join(o.dir, "markers")
	if err := os.MkdirAll(markers, 0o755); err != nil {
		o.t.Fatal(err)
	}
	cmd := exec.Command(testenv.Binary(o.t), "apply", "--yes", "--with", "green")
	cmd.Dir = o.dir
	cmd.Env = append(o.env.Environ(), append([]string{"E2E_RUN_TAG=" + tag, "CRASH_MARKERS=" + markers}, extra...)...)
	out := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		o.t.Fatal(err)
	}
	return cmd, out, markers
}

// tagged lists the live processes whose environment holds E2E_RUN_TAG=tag,
// with their command lines.
func tagged(tag string) []string {
	want := []byte("E2E_RUN_TAG=" + tag + "\x00")
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	var out []string
	for _, d := range dirs {
		env, err := os.ReadFile(filepath.Join(d, "environ"))
		if err != nil || !bytes.Contains(append(env, 0), want) {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join(d, "cmdline"))
		out = append(out, fmt.Sprintf("%s: %s", filepath.Base(d), bytes.ReplaceAll(cmdline, []byte{0}, []byte{' '})))
	}
	return out
}

// waitNoSurvivors waits until no process of the tagged run lives, and
// fails with the survivors when some are still there after a while.
func waitNoSurvivors(t *testing.T, tag string) {
	t.Helper()
	if _, err := os.Stat("/proc/self/environ"); err != nil {
		t.Skip("no /proc: cannot find the run's processes")
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		left := tagged(tag)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d processes of the killed run still live 2 minutes later:\n%s", len(left), strings.Join(left, "\n"))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// rawState is a stack's state object as Terraform wrote it.
type rawState struct {
	Serial    int    `json:"serial"`
	Lineage   string `json:"lineage"`
	Resources []struct {
		Module    string `json:"module"`
		Mode      string `json:"mode"`
		Type      string `json:"type"`
		Name      string `json:"name"`
		Instances []struct {
			Status     string          `json:"status"`
			Attributes json.RawMessage `json:"attributes"`
		} `json:"instances"`
	} `json:"resources"`
}

// stateOf reads a stack's state object from the state bucket.
func (o *orders) stateOf(stack string) *rawState {
	o.t.Helper()
	out, err := o.stateS3().GetObject(context.Background(), &s3.GetObjectInput{
		Bucket: aws.String(o.stateBucket()),
		Key:    aws.String("orders/" + stack + "/terraform.tfstate")})
	if err != nil {
		o.t.Fatalf("read the state of %s: %v", stack, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		o.t.Fatal(err)
	}
	var st rawState
	if err := json.Unmarshal(b, &st); err != nil {
		o.t.Fatalf("state of %s: %v", stack, err)
	}
	return &st
}

// attribute is one attribute of the resource at address (type.name in the
// root module), "" when absent.
func (st *rawState) attribute(address, name string) string {
	for _, r := range st.Resources {
		if r.Module != "" || r.Mode != "managed" || r.Type+"."+r.Name != address || len(r.Instances) != 1 {
			continue
		}
		var attrs map[string]any
		_ = json.Unmarshal(r.Instances[0].Attributes, &attrs)
		s, _ := attrs[name].(string)
		return s
	}
	return ""
}

// counts is how many instances the state holds per managed resource of
// the root module, by address.
func (st *rawState) counts() map[string]int {
	out := map[string]int{}
	for _, r := range st.Resources {
		if r.Mode == "managed" && r.Module == "" {
			out[r.Type+"."+r.Name] += len(r.Instances)
		}
	}
	return out
}

// waitGate waits until the run started by startTagged drops the marker of
// gate, and fails with what the run printed when it ends first.
func waitGate(t *testing.T, cmd *exec.Cmd, out *bytes.Buffer, markers, gate string) {
	t.Helper()
	ended := false
	testenv.Until(t, 5*time.Minute, "the run to reach gate "+gate, func() bool {
		if _, err := os.Stat(filepath.Join(markers, gate)); err == nil {
			return true
		}
		ended = exited(cmd.Process.Pid)
		return ended
	})
	if ended {
		_ = cmd.Wait()
		t.Fatalf("the run ended before gate %s:\n%s", gate, out)
	}
}

// exited reports whether process pid has ended (a zombie not yet waited
// for counts as ended).
func exited(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	_, rest, _ := strings.Cut(string(b), ") ")
	return strings.HasPrefix(rest, "Z") || strings.HasPrefix(rest, "X")
}
