package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

// botoPython is the path of a Python interpreter that has boto3 (moto's
// own has it), for a stack that writes objects as an application would.
func botoPython(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("python3", "-c", "import boto3, sys; print(sys.executable)").Output()
	if err != nil {
		t.Fatalf("python3 with boto3 (installed with moto) is needed to write objects: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// #23.3: a drill of a stack whose versioned bucket (no force_destroy)
// holds data tears down: the teardown empties, every version, the bucket
// the drill's own rebuild created, and Terraform deletes it. The real AWS
// provider, against moto.
func TestAWSDrillTearsDownAVersionedBucketWithData(t *testing.T) {
	t.Parallel()
	mirror := testenv.ProviderMirror(t)
	tg := newTarget(t, "drillver")
	if err := tg.env.UseMirror(mirror); err != nil {
		t.Fatal(err)
	}
	bucket := "drillver-data-bucket"
	tg.write(fmt.Sprintf(`
stack "data" {
  source = "{{stacks}}/versioned"
  inputs = { bucket = %q, aws_endpoint = %q, python = %q }
}
`, bucket, tg.env.Moto.URL, botoPython(t)))

	res := tg.run("drill", "--yes", "--all")
	wantCode(t, res, 0)
	if !strings.Contains(res.Stdout, "PASSED") {
		t.Errorf("the drill should pass:\n%s", res.Stdout)
	}
	if !strings.Contains(res.Stderr+res.Stdout, "emptied bucket "+bucket) {
		t.Errorf("the teardown should say it emptied the drill's bucket:\n%s\n%s", res.Stdout, res.Stderr)
	}
	if _, err := tg.s3().HeadBucket(context.Background(), &s3.HeadBucketInput{Bucket: aws.String(bucket)}); err == nil {
		t.Error("the drill left its versioned bucket")
	}
	if tg.bucketExists() {
		t.Error("the drill left the state bucket")
	}

	// A bucket a drill did not create is never emptied: an apply builds
	// it, and destroy (no drill) stops at its data and keeps every version.
	wantCode(t, tg.run("apply", "--yes"), 0)
	res = tg.run("destroy", "--yes")
	wantCode(t, res, 1)
	if !strings.Contains(res.Stderr, "BucketNotEmpty") || strings.Contains(res.Stderr+res.Stdout, "emptied bucket") {
		t.Errorf("destroy should stop at the data of a bucket no drill created:\n%s", res.Stderr)
	}
	out, err := tg.s3().ListObjectVersions(context.Background(), &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)})
	if err != nil || len(out.Versions)+len(out.DeleteMarkers) != 4 {
		t.Errorf("the bucket's data should be untouched (3 versions, 1 delete marker): %+v %v", out, err)
	}
}
