package e2e

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/tfrebuild/tfrebuild/events"
)

// Same account, same checkout: after a complete rebuild someone deletes
// the orders table and parameters in two stacks. The next apply is a new
// rebuild: it checks every stack against the cloud, re-creates exactly
// what was deleted, names each by address, and leaves the rest at its
// version. Then a parameter of link is deleted and `apply --only link`
// repairs it too.
func TestAWSApplyAfterACompleteRebuildRepairs(t *testing.T) {
	t.Parallel()
	m, mirror := ordersMoto(t)
	o := newOrders(t, m, mirror, "eu-west-2")
	o.apply()
	before := o.versions()

	ctx := context.Background()
	if _, err := o.dynamodb().DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("orders-orders")}); err != nil {
		t.Fatal(err)
	}
	deleted := []string{"/orders/shared/uploads-bucket", "/orders/blue/config"}
	for _, p := range deleted {
		if _, err := o.ssm().DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String(p)}); err != nil {
			t.Fatal(err)
		}
	}

	stream, md := filepath.Join(o.dir, "events.ndjson"), filepath.Join(o.dir, "step-summary.md")
	o.env.Vars["GITHUB_STEP_SUMMARY"] = md
	res := o.run("apply", "--yes", "--with", "green", "--events", stream)
	wantCode(t, res, 0)
	out := res.Stdout + res.Stderr
	if !strings.Contains(out, "new rebuild: every stack is checked against the cloud") {
		t.Errorf("the run does not say it is a new rebuild:\n%s", res.Stderr)
	}
	o.wantTable()
	for _, p := range deleted {
		if _, ver, ok := o.param(p); !ok || ver != 1 {
			t.Errorf("%s: version %d, exists %v: want it re-created", p, ver, ok)
		}
	}
	for name, ver := range o.versions() {
		if name != deleted[0] && name != deleted[1] && ver != before[name] {
			t.Errorf("%s: version %d, was %d: apply wrote a parameter nobody deleted", name, ver, before[name])
		}
	}
	for _, addr := range []string{"aws_dynamodb_table.orders", "aws_ssm_parameter.uploads_bucket", "aws_ssm_parameter.config"} {
		if len(lines(out, "repaired drift", addr, "created")) == 0 {
			t.Errorf("apply does not report %s as repaired drift:\nstdout:\n%s\nstderr:\n%s", addr, res.Stdout, res.Stderr)
		}
	}

	// The repair report is in the events (each stack's stage_finished)
	// and the Markdown summary.
	repaired := map[string]string{}
	for _, e := range readEvents(t, readFile(t, stream)) {
		for _, c := range e.Changes {
			if e.Type == events.StageFinished && c.Repaired {
				repaired[e.Stage+" "+c.Address] = c.Action
			}
		}
	}
	summary := readFile(t, md)
	for _, row := range []string{"| `stack.shared` | `aws_dynamodb_table.orders` | create (drift repaired) |",
		"| `stack.blue` | `aws_ssm_parameter.config` | create (drift repaired) |"} {
		if !strings.Contains(summary, row) {
			t.Errorf("the Markdown summary lacks %q:\n%s", row, summary)
		}
	}

	// status --json keeps the repair report, per stack.
	st := o.run("status", "--json")
	wantCode(t, st, 0)
	var status struct {
		Stages []struct {
			Name    string `json:"name"`
			Changes []struct {
				Address  string `json:"address"`
				Action   string `json:"action"`
				Repaired bool   `json:"repaired"`
			} `json:"changes"`
		} `json:"stages"`
	}
	if err := json.Unmarshal([]byte(st.Stdout), &status); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range status.Stages {
		for _, c := range s.Changes {
			if c.Repaired {
				got[s.Name+" "+c.Address] = c.Action
			}
		}
	}
	want := map[string]string{"stack.shared aws_dynamodb_table.orders": "create", "stack.shared aws_ssm_parameter.uploads_bucket": "create",
		"stack.blue aws_ssm_parameter.config": "create"}
	if !equalMaps(got, want) {
		t.Errorf("status --json repaired: %v, want %v", got, want)
	}
	if !equalMaps(repaired, want) {
		t.Errorf("events repaired: %v, want %v", repaired, want)
	}

	if _, err := o.ssm().DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String("/orders/link/routes")}); err != nil {
		t.Fatal(err)
	}
	res = o.run("apply", "--yes", "--with", "green", "--only", "link")
	wantCode(t, res, 0)
	if _, _, ok := o.param("/orders/link/routes"); !ok {
		t.Errorf("apply --only link did not re-create /orders/link/routes:\n%s", res.Stderr)
	}
	if len(lines(res.Stdout+res.Stderr, "aws_ssm_parameter.routes", "created")) == 0 {
		t.Errorf("apply --only link does not name aws_ssm_parameter.routes:\n%s", res.Stderr)
	}
}
