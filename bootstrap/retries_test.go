package bootstrap

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// #11.7: the SDK's retries are reported, with the operation, the attempt
// and the error before it, to the reporter in the call's context.
func TestRetriesAreReported(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	cfg := aws.Config{Region: "eu-west-2", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = 3; o.MaxBackoff = time.Millisecond })
		}}
	s := NewSession(cfg, Endpoints{})
	var mu sync.Mutex
	var got []string
	ctx := WithRetryReporter(context.Background(), func(m string) { mu.Lock(); got = append(got, m); mu.Unlock() })
	if _, err := s.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err == nil {
		t.Fatal("the call should fail")
	}
	mu.Lock()
	defer mu.Unlock()
	t.Logf("reported: %q", got)
	if len(got) != 2 || !strings.HasPrefix(got[0], "retrying STS GetCallerIdentity (attempt 2/3): ") ||
		!strings.HasPrefix(got[1], "retrying STS GetCallerIdentity (attempt 3/3): ") || !strings.Contains(got[0], "503") {
		t.Errorf("reported %q", got)
	}
	// Without a reporter, nothing is counted and the call behaves the same.
	if _, err := s.STS.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err == nil {
		t.Fatal("the call should fail")
	}
}
