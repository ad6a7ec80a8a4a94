package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// Same account, same region: someone deleted the orders table and a
// parameter, and edited a tag on the uploads bucket by hand. An operator
// with a fresh checkout plans, then applies: exactly those three are
// repaired, the run says what it repaired, and nothing else is written.
func TestAWSRepair(t *testing.T) {
	t.Parallel()
	m, mirror := ordersMoto(t)
	built := newOrders(t, m, mirror, "eu-west-2")
	built.apply()
	before := built.versions()

	ctx := context.Background()
	o := newOrders(t, m, mirror, "eu-west-2") // the operator's checkout: no checkpoint
	if _, err := o.dynamodb().DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("orders-orders")}); err != nil {
		t.Fatal(err)
	}
	if _, err := o.ssm().DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String("/orders/shared/uploads-bucket")}); err != nil {
		t.Fatal(err)
	}
	tags := o.bucketTags()
	tags["DataClass"] = "edited-by-hand"
	var set []s3types.Tag
	for k, v := range tags {
		set = append(set, s3types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	if _, err := o.s3().PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(o.uploadsBucket()),
		Tagging: &s3types.Tagging{TagSet: set}}); err != nil {
		t.Fatal(err)
	}

	want := map[string]string{
		"stack.shared aws_dynamodb_table.orders":        "create",
		"stack.shared aws_ssm_parameter.uploads_bucket": "create",
		"stack.shared aws_s3_bucket.uploads":            "update",
	}
	report := filepath.Join(t.TempDir(), "plan.json")
	res := o.run("plan", "--with", "green", "--json", report, "--detailed-exitcode")
	wantCode(t, res, 2)
	if got := plannedChanges(t, report); !equalMaps(got, want) {
		t.Errorf("plan shows %v\nwant exactly %v", got, want)
	}

	res = o.run("apply", "--yes", "--with", "green")
	wantCode(t, res, 0)
	o.wantTable()
	if v, ver, ok := o.param("/orders/shared/uploads-bucket"); !ok || v != o.uploadsBucket() || ver != 1 {
		t.Errorf("/orders/shared/uploads-bucket = %q (version %d, exists %v): want it re-created", v, ver, ok)
	}
	if got := o.bucketTags()["DataClass"]; got != "customer-uploads" {
		t.Errorf("bucket tag DataClass = %q after apply, want customer-uploads", got)
	}
	for name, ver := range o.versions() {
		if name != "/orders/shared/uploads-bucket" && ver != before[name] {
			t.Errorf("%s: version %d, was %d: apply wrote a parameter that had not drifted", name, ver, before[name])
		}
	}

	// What the run says it repaired: per stack, each address with what was
	// done to it, and nothing that was not repaired.
	out := res.Stdout + res.Stderr
	var missing []string
	for key, action := range want {
		stack, addr, _ := strings.Cut(key, " ")
		verb := map[string]string{"create": "created", "update": "updated"}[action]
		if len(lines(out, addr, verb)) == 0 {
			missing = append(missing, stack+": "+addr+" "+verb)
		}
	}
	if !strings.Contains(out, "drift") {
		missing = append(missing, "the word drift")
	}
	if len(missing) > 0 {
		t.Errorf("apply does not report the drift it repaired: missing %q\nstdout:\n%s\nstderr:\n%s", missing, res.Stdout, res.Stderr)
	}
	for _, addr := range []string{"aws_ssm_parameter.api_key", "aws_ssm_parameter.orders_table", "random_string.api_key",
		"aws_ssm_parameter.config", "aws_ssm_parameter.url", "aws_ssm_parameter.routes", "aws_ssm_parameter.partner_api_key"} {
		if l := lines(out, addr); len(l) > 0 {
			t.Errorf("apply reports %s, which had not drifted: %q", addr, l)
		}
	}
}

// plannedChanges reads a plan --json report: "stage address" → action,
// for every change (create, update, delete, replace) of every stage.
func plannedChanges(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Stages []struct {
			Name    string `json:"name"`
			Status  string `json:"status"`
			Error   string `json:"error"`
			Actions []struct {
				Address string `json:"address"`
				Action  string `json:"action"`
			} `json:"actions"`
		} `json:"stages"`
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("plan report: %v\n%s", err, b)
	}
	out := map[string]string{}
	for _, s := range rep.Stages {
		if s.Error != "" {
			t.Errorf("plan of %s failed: %s", s.Name, s.Error)
		}
		for _, a := range s.Actions {
			switch a.Action {
			case "create", "update", "delete", "replace":
				out[s.Name+" "+a.Address] = a.Action
			}
		}
	}
	return out
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
