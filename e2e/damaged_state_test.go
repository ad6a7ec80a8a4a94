package e2e

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// #20.6: a stack's state object overwritten with something that is not a
// state (by hand, a bad script) after a complete rebuild: the next apply
// says so, lists the earlier versions the bucket keeps and gives the
// command that restores the newest; done, the printed resume command
// completes. It used to end with "run apply again to resume", for ever.
func TestADamagedStateIsRefusedWithItsVersions(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, "damaged")
	tg.write(strings.ReplaceAll(fourStacks, "%s", tg.project))
	wantCode(t, tg.run("apply", "--yes"), 0)
	key := tg.project + "/base/terraform.tfstate"
	ctx := context.Background()
	if _, err := tg.s3().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(tg.bucket()), Key: aws.String(key),
		Body: bytes.NewReader([]byte("{\"oops\": tru"))}); err != nil {
		t.Fatal(err)
	}

	res := tg.run("apply", "--yes")
	wantCode(t, res, 1)
	for _, want := range []string{"the state of stack base, s3://" + tg.bucket() + "/" + key + ", is damaged: not JSON",
		"Restore the newest (or another, by its version) with:", "aws s3api copy-object --bucket " + tg.bucket(), "--region eu-west-2",
		"then continue with:"} {
		if !strings.Contains(res.Stderr, want) {
			t.Errorf("the refused apply does not say %q:\n%s", want, res.Stderr)
		}
	}
	// Do what it says: copy the version it names back, then resume.
	version := hint(t, res.Stderr, `versionId=([^'\s]+)`)
	if _, err := tg.s3().CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(tg.bucket()), Key: aws.String(key),
		CopySource: aws.String(tg.bucket() + "/" + key + "?versionId=" + url.QueryEscape(version))}); err != nil {
		t.Fatal(err)
	}
	line := hint(t, res.Stderr, `then continue with:\s+(tfrebuild apply [^\r\n]*)`)
	if out, code := paste(t, tg, line); code != 0 {
		t.Fatalf("%s: exit %d\n%s", line, code, out)
	}
	if st := tg.state("base"); st == nil || len(st.Resources) == 0 {
		t.Errorf("base's state after the restore: %+v", st)
	}
}
