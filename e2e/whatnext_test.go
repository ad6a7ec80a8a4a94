package e2e

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
)

// #28.4: with no AWS credentials at all, the run says so and where it
// looked (it used to quote an EC2 metadata error), writing nothing.
func TestNoCredentialsSayWhereTheyWereLookedFor(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, "nocreds")
	tg.write(strings.ReplaceAll(fourStacks, "%s", tg.project))
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"} {
		delete(tg.env.Vars, k)
	}
	for _, args := range [][]string{{"plan"}, {"apply", "--yes"}} {
		res := tg.run(args...)
		wantCode(t, res, 1)
		for _, want := range []string{"no AWS credentials found (checked: environment (AWS_ACCESS_KEY_ID unset",
			"EC2 instance metadata (disabled by AWS_EC2_METADATA_DISABLED)", "Set AWS_PROFILE to a profile that reaches account"} {
			if !strings.Contains(res.Stderr, want) {
				t.Errorf("%s without credentials does not say %q:\n%s", args[0], want, res.Stderr)
			}
		}
	}
	if tg.bucketExists() {
		t.Error("a run without credentials wrote the state bucket")
	}
}

// #28.4: AWS refuses an action (AccessDenied on the lock table's
// creation): the error names it, and says what to do next.
func TestAccessDeniedSaysWhatNext(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, "denied")
	u, err := url.Parse(tg.env.Moto.URL)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Amz-Target") == "DynamoDB_20120810.CreateTable" {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/x-amz-json-1.0")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"__type":"com.amazon.coral.service#AccessDeniedException","message":"User: arn:aws:iam::123456789012:user/moto is not authorized to perform: dynamodb:CreateTable on resource: denied-lock"}`))
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	tg.env.Vars["AWS_ENDPOINT_URL"] = srv.URL
	tg.write(strings.ReplaceAll(fourStacks, "%s", tg.project))
	res := tg.run("apply", "--yes")
	wantCode(t, res, 1)
	for _, want := range []string{"dynamodb:CreateTable", "What next: the credentials in use may not do this"} {
		if !strings.Contains(res.Stderr, want) {
			t.Errorf("the refused run does not say %q:\n%s", want, res.Stderr)
		}
	}
}
