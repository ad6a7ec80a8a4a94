package e2e

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

const planStacks = fourStacks + `
stack "greeter" {
  source = "{{stacks}}/withmodule"
  inputs = { network = stack.base.outputs.network }
}
`

// planDoc is the documented shape of plan --json (docs/ci.md).
type planDoc struct {
	Schema         int            `json:"schema"`
	Project        string         `json:"project"`
	Account        string         `json:"account"`
	Region         string         `json:"region"`
	Engine         string         `json:"engine"`
	GeneratedAt    string         `json:"generated_at"`
	ChangesPending bool           `json:"changes_pending"`
	Mocked         bool           `json:"mocked"`
	Totals         map[string]int `json:"totals"`
	Stages         []struct {
		Name    string `json:"name"`
		Status  string `json:"status"`
		State   string `json:"state"`
		Actions []struct {
			Address string `json:"address"`
			Action  string `json:"action"`
			Detail  string `json:"detail"`
		} `json:"actions"`
		Counts       map[string]int `json:"counts"`
		Mocked       bool           `json:"mocked"`
		MockedInputs []string       `json:"mocked_inputs"`
		Error        string         `json:"error"`
	} `json:"stages"`
}

func (d *planDoc) stage(t *testing.T, name string) int {
	for i, s := range d.Stages {
		if s.Name == name {
			return i
		}
	}
	t.Fatalf("no stage %s in the plan", name)
	return -1
}

func TestPlanAgainstAnEmptyTarget(t *testing.T) {
	t.Parallel()
	forEachEngine(t, planAgainstAnEmptyTarget)
}

func planAgainstAnEmptyTarget(t *testing.T, e engine) {
	tg := e.target(t, "planempty")
	body := strings.ReplaceAll(planStacks, "%s", tg.project)
	body = strings.Replace(body, `inputs = { name = "core" }`, "inputs = { name = \"core\" }\n  mock_outputs = { network = \"net-mock\" }", 1)
	tg.write(body)
	stacksDir, _ := filepath.Abs("testdata")
	before := treeSnapshot(t, stacksDir)

	jsonPath, mdPath := filepath.Join(tg.dir, "plan.json"), filepath.Join(tg.dir, "plan.md")
	res := tg.run("plan", "--with", "green", "--detailed-exitcode", "--json", jsonPath, "--markdown", mdPath)
	wantCode(t, res, 2)

	var doc planDoc
	raw := readFile(t, jsonPath)
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != 1 || doc.Project != tg.project || !doc.ChangesPending || !doc.Mocked || doc.GeneratedAt == "" || doc.Engine != tg.engineLabel() {
		t.Errorf("plan document header: %+v", doc)
	}
	st := doc.Stages[doc.stage(t, "state")]
	if st.Counts["create"] != 2 || st.Actions[0].Address != "s3://"+tg.bucket() {
		t.Errorf("state stage: %+v", st)
	}
	if r := doc.Stages[doc.stage(t, "registries")]; r.Counts["create"] != 1 {
		t.Errorf("registries stage: %+v", r)
	}
	base := doc.Stages[doc.stage(t, "stack.base")]
	if base.State != "empty" || base.Counts["create"] != 1 || base.Mocked || base.Actions[0].Address != "terraform_data.base" {
		t.Errorf("base: %+v", base)
	}
	blue := doc.Stages[doc.stage(t, "stack.blue")]
	if !blue.Mocked || len(blue.MockedInputs) == 0 || !strings.Contains(strings.Join(blue.MockedInputs, " "), "stack.base.outputs.network (mock)") {
		t.Errorf("blue should rest on base's mocked network: %+v", blue)
	}
	greeter := doc.Stages[doc.stage(t, "stack.greeter")]
	if greeter.Status != "done" || greeter.Counts["create"] != 1 || greeter.Actions[0].Address != "module.greeting.terraform_data.greeting" {
		t.Errorf("a stack with a relative module source: %+v", greeter)
	}
	if doc.Totals["create"] < 8 {
		t.Errorf("totals: %v", doc.Totals)
	}
	md := readFile(t, mdPath)
	for _, want := range []string{"| stage | create | change | replace | destroy | drift | restore | notes |", "<details><summary><code>stack.blue</code>", "rests on mocked values", "| **total** |"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	secret := sha256hex("core-token")
	for where, text := range map[string]string{"json": raw, "markdown": md, "stdout": res.Stdout, "stderr": res.Stderr} {
		if strings.Contains(text, secret) {
			t.Errorf("the sensitive output appears in the plan %s", where)
		}
	}

	// Nothing was written to the target, nor to the source tree.
	ctx := context.Background()
	cfg := tg.awsConfig()
	if _, err := tg.s3().HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(tg.bucket())}); err == nil {
		t.Error("plan created the state bucket")
	}
	if _, err := dynamodb.NewFromConfig(cfg).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(tg.project + "-lock")}); err == nil {
		t.Error("plan created the lock table")
	}
	if _, err := ecr.NewFromConfig(cfg).DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{tg.project + "-api"}}); err == nil {
		t.Error("plan created a repository")
	}
	if after := treeSnapshot(t, stacksDir); !reflect.DeepEqual(before, after) {
		t.Error("plan wrote into the stack sources")
	}
}

func TestPlanAfterApplyFindsNothingToDo(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, "planafter")
	tg.write(strings.ReplaceAll(planStacks, "%s", tg.project))
	wantCode(t, tg.run("apply", "--yes"), 0)
	res := tg.run("plan", "--detailed-exitcode", "--json", filepath.Join(tg.dir, "plan.json"))
	wantCode(t, res, 0)
	var doc planDoc
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(tg.dir, "plan.json"))), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.ChangesPending || doc.Mocked {
		t.Errorf("after apply: %+v", doc)
	}
	for _, s := range doc.Stages {
		if strings.HasPrefix(s.Name, "stack.") && s.Status == "done" && s.State != "existing" {
			t.Errorf("%s should be planned against its real state, got %q", s.Name, s.State)
		}
	}
	if n := lockItems(t, tg); n != 0 {
		t.Errorf("plan left %d lock items", n)
	}
}
