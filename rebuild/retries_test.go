package rebuild

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/events"
)

// #11.7: an AWS call a stage makes that the SDK retries shows as a note of
// that stage while it retries.
func TestAWSRetriesAreStageNotes(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
		http.Error(rw, "unavailable", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	sess := bootstrap.NewSession(aws.Config{Region: "eu-west-2", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = 2; o.MaxBackoff = time.Millisecond })
		}}, bootstrap.Endpoints{})
	c := w.common()
	c.Deps.Connect = func(ctx context.Context, _ *config.Config) (*Connection, error) {
		_, err := sess.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		return nil, err
	}
	if _, err := Apply(context.Background(), w.cfg, ApplyOptions{Common: c}); err == nil {
		t.Fatal("preflight should fail")
	}
	for _, e := range w.sink.of(events.StageNote) {
		if e.Stage == "preflight" && strings.HasPrefix(e.Message, "retrying STS GetCallerIdentity (attempt 2/2)") {
			return
		}
	}
	t.Errorf("no retry note on preflight: %+v", w.sink.of(events.StageNote))
}
