package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// plantedState is a state another account put into its bucket, under the
// key our stack "shared" would use.
const plantedState = `{"version":4,"terraform_version":"1.11.4","serial":1,"lineage":"planted-0000",
"outputs":{"network":{"value":"net-planted","type":"string"}},
"resources":[{"mode":"managed","type":"terraform_data","name":"base","provider":"provider[\"terraform.io/builtin/terraform\"]",
"instances":[{"schema_version":0,"attributes":{"id":"11111111-2222-3333-4444-555555555555","input":{"value":"planted","type":"string"},
"output":{"value":"planted","type":"string"},"triggers_replace":null},"sensitive_attributes":[]}]}]}`

// TestForeignStateBucketOutputAndDestroyRefuse: the state bucket's name
// belongs to another account, which planted a state in it. output and
// destroy --all check the bucket's owner before any Terraform command, as
// apply does: they refuse, read nothing from it and write nothing into it.
func TestForeignStateBucketOutputAndDestroyRefuse(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, "foreignplant")
	tg.write(`
stack "shared" {
  source = "{{stacks}}/base"
  inputs = { name = "mine" }
}
`)
	other := assumeOther(t, tg)
	ctx := context.Background()
	_, err := other.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(tg.bucket()),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: "eu-west-2"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(tg.bucket()),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	if _, err := other.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(tg.bucket()), Key: aws.String(tg.project + "/shared/terraform.tfstate"),
		Body: strings.NewReader(plantedState)}); err != nil {
		t.Fatal(err)
	}
	before := objectVersions(t, other, tg.bucket())

	for _, args := range [][]string{{"output"}, {"destroy", "--all", "--yes"}} {
		res := tg.run(args...)
		wantCode(t, res, 1)
		if out := res.Stdout + res.Stderr; !strings.Contains(out, "belongs to another AWS account") || strings.Contains(res.Stdout, "net-planted") {
			t.Errorf("%s against another account's bucket:\n%s", args[0], out)
		}
		if after := objectVersions(t, other, tg.bucket()); after != before {
			t.Fatalf("%s wrote into another account's bucket: versions %q, were %q", args[0], after, before)
		}
	}
}

// objectVersions lists every version and delete marker in a bucket.
func objectVersions(t *testing.T, c *s3.Client, bucket string) string {
	t.Helper()
	out, err := c.ListObjectVersions(context.Background(), &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, v := range out.Versions {
		b.WriteString(aws.ToString(v.Key) + "@" + aws.ToString(v.VersionId) + " ")
	}
	for _, m := range out.DeleteMarkers {
		b.WriteString("deleted:" + aws.ToString(m.Key) + "@" + aws.ToString(m.VersionId) + " ")
	}
	return b.String()
}
