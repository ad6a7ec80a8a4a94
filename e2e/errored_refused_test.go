package e2e

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// #21.3: the state a failed run could not save is not pushed over a
// stored state of another lineage (someone else's, or a restore's): the
// run stops before the stack, says why, and prints the command; a person
// who has compared them runs it with -force, and the resume completes
// with what the failed run created (its key).
func TestErroredStateRefusedWithTheCommand(t *testing.T) {
	t.Parallel()
	forEachEngine(t, erroredStateRefusedWithTheCommand)
}

func erroredStateRefusedWithTheCommand(t *testing.T, e engine) {
	o, lost := erroredShared(t, e, "refused-"+t.Name())

	// Meanwhile a state of another lineage is stored at the stack's key.
	ctx := context.Background()
	bucket := o.stateBucket()
	if _, err := o.s3().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(o.region)}}); err != nil {
		t.Fatal(err)
	}
	planted := `{"version": 4, "terraform_version": "1.11.4", "serial": 1, "lineage": "someone-elses", "outputs": {}, "resources": []}`
	if _, err := o.s3().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("orders/shared/terraform.tfstate"),
		Body: bytes.NewReader([]byte(planted))}); err != nil {
		t.Fatal(err)
	}

	res := o.run("apply", "--yes", "--with", "green")
	wantCode(t, res, 1)
	if !strings.Contains(res.Stderr, "it is not pushed back automatically") || !strings.Contains(res.Stderr, "someone-elses") {
		t.Fatalf("the resume does not refuse the push and say why:\n%s", res.Stderr)
	}
	line := hint(t, res.Stderr, `and run apply again:\s+([^\r\n]*state push [^\r\n]*)`)
	forced := strings.Replace(line, " state push ", " state push -force ", 1)
	if got, code := pasteIn(t, o.dir, o.env.Environ(), forced); code != 0 {
		t.Fatalf("%s: exit %d\n%s", forced, code, got)
	}
	res = o.apply()
	st := o.stateOf("shared")
	if made := lost.attribute("random_string.api_key", "result"); made == "" || st.attribute("random_string.api_key", "result") != made {
		t.Errorf("after the forced push and the resume, shared's key is not the one the failed run made:\n%s", res.Stderr)
	}
}
