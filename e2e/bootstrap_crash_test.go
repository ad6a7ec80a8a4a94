package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// tfrebuild dies right after CreateBucket, before the bucket is tagged and
// hardened (killed when its tagging request arrives). The next apply
// knows the bucket as this target's own from the intent it recorded
// before creating it, and tags and hardens it: versioned, encrypted,
// tagged, not an unversioned bucket reported as drift for ever.
func TestBootstrapCrashAfterCreateBucketConverges(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, "crashbkt")
	u, err := url.Parse(tg.env.Moto.URL)
	if err != nil {
		t.Fatal(err)
	}
	var victim atomic.Pointer[exec.Cmd]
	var killed atomic.Bool
	rp := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, tagging := r.URL.Query()["tagging"]
		if cmd := victim.Load(); cmd != nil && r.Method == http.MethodPut && tagging && strings.Contains(r.URL.Path, tg.bucket()) {
			killed.Store(true)     // before the kill: the test wakes as soon as the run is dead
			_ = cmd.Process.Kill() // the crash: nothing after CreateBucket runs
			http.Error(w, "gone", http.StatusBadGateway)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	tg.env.Vars["AWS_ENDPOINT_URL"] = srv.URL
	tg.write(strings.ReplaceAll(fourStacks, "%s", tg.project))

	cmd, out := tg.start("apply", "--yes")
	victim.Store(cmd)
	_ = cmd.Wait()
	victim.Store(nil)
	if !killed.Load() {
		t.Fatalf("the run was not killed at the bucket's tagging:\n%s", out.String())
	}
	if !tg.bucketExists() {
		t.Fatal("the bucket was not created before the crash")
	}

	res := tg.run("apply", "--yes")
	wantCode(t, res, 0)
	ctx := context.Background()
	b := aws.String(tg.bucket())
	if v, err := tg.s3().GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b}); err != nil || v.Status != s3types.BucketVersioningStatusEnabled {
		t.Errorf("versioning after the resume: %+v %v\n%s", v, err, res.Stderr)
	}
	if _, err := tg.s3().GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b}); err != nil {
		t.Errorf("encryption after the resume: %v", err)
	}
	if _, err := tg.s3().GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b}); err != nil {
		t.Errorf("public access block after the resume: %v", err)
	}
	tags, err := tg.s3().GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b})
	if err != nil || !strings.Contains(tagText(tags.TagSet), "tfrebuild:target=") {
		t.Errorf("tags after the resume: %v %v", tags, err)
	}
	if c := tg.checkpoint(); len(c.Created) == 0 || c.Created[0].Intent {
		t.Errorf("the bucket's creation is not recorded as finished: %+v", c.Created)
	}
}

func tagText(set []s3types.Tag) string {
	var b strings.Builder
	for _, t := range set {
		b.WriteString(aws.ToString(t.Key) + "=" + aws.ToString(t.Value) + " ")
	}
	return b.String()
}
