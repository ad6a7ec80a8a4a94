package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// #11.5: what can be checked without the cloud stops validate and apply
// before any write: an unset env() in inputs names FILE:LINE:COL, and
// apply creates no bucket.
func TestAnUnsetEnvStopsValidateAndApply(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, "envunset")
	tg.write(`
stack "base" {
  source = "{{stacks}}/base"
  inputs = { name = env("NOPE_UNSET") }
}
`)
	res := tg.run("validate")
	wantCode(t, res, 1)
	if !regexp.MustCompile(`rebuild\.hcl:\d+:\d+: .*NOPE_UNSET`).MatchString(res.Stderr) {
		t.Errorf("validate should name FILE:LINE:COL:\n%s", res.Stderr)
	}
	wantCode(t, tg.run("apply", "--yes"), 1)
	if tg.bucketExists() {
		t.Error("apply created the state bucket before failing on the config")
	}
}

// #11.5: a Terraform that is not there at the pinned version stops apply
// before the checkpoint store creates the lock table or the state stage
// the bucket.
func TestAMissingTerraformStopsApplyBeforeAnyWrite(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, "notf")
	tg.write(`
checkpoint {
  store = "dynamodb"
}
stack "base" {
  source = "{{stacks}}/base"
  inputs = { name = "core" }
}
`)
	path := tg.dir + "/rebuild.hcl"
	writeFile(t, path, strings.Replace(readFile(t, path), `version = "1.11.4"`, `version = "1.5.7"`, 1))
	res := tg.run("validate")
	wantCode(t, res, 0)
	if !strings.Contains(res.Stderr, "warning: terraform 1.5.7") {
		t.Errorf("validate should warn that Terraform 1.5.7 is not installed:\n%s", res.Stderr)
	}
	res = tg.run("apply", "--yes", "--no-download")
	wantCode(t, res, 1)
	if !strings.Contains(res.Stderr, "1.5.7") {
		t.Errorf("apply should name the missing version:\n%s", res.Stderr)
	}
	if tg.bucketExists() {
		t.Error("apply created the state bucket")
	}
	_, err := dynamodb.NewFromConfig(tg.awsConfig()).DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String(tg.project + "-lock")})
	if err == nil {
		t.Error("apply created the lock table before finding Terraform")
	}
}
