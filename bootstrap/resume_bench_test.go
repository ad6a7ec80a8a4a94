package bootstrap

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

// BenchmarkResumeStateChecks times what the state stage does on a resumed
// rebuild: EnsureBucket and EnsureLockTable on a bucket and table that
// exist with every setting already right, so every call is a read.
func BenchmarkResumeStateChecks(b *testing.B) {
	for _, rtt := range []time.Duration{0, 10 * time.Millisecond} {
		b.Run("rtt="+rtt.String(), func(b *testing.B) { benchResume(b, rtt) })
	}
}

// delayed adds a round trip's latency to each request, as a remote
// endpoint would; moto on loopback answers in well under a millisecond of
// network time, so it measures only its own CPU.
type delayed struct {
	rtt  time.Duration
	next http.RoundTripper
}

func (d delayed) RoundTrip(r *http.Request) (*http.Response, error) {
	time.Sleep(d.rtt)
	return d.next.RoundTrip(r)
}

func benchResume(b *testing.B, rtt time.Duration) {
	m := testenv.SharedMoto(b)
	cfg := aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", ""), BaseEndpoint: aws.String(m.URL),
		HTTPClient: &http.Client{Transport: delayed{rtt, awshttp.NewBuildableClient().GetTransport()}}}
	s := NewSession(cfg, Endpoints{"s3": m.URL, "dynamodb": m.URL, "sts": m.URL, "ecr": m.URL})
	ctx := context.Background()
	st := stateFor("bench-resume")
	opts := Options{Project: "bench-resume"}
	if _, err := s.EnsureBucket(ctx, testenv.Account, st, opts); err != nil {
		b.Fatal(err)
	}
	if _, err := s.EnsureLockTable(ctx, st.LockTable, opts); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		rep, err := s.EnsureBucket(ctx, testenv.Account, st, opts)
		if err != nil || len(rep.Changes) != 0 {
			b.Fatal(err, rep)
		}
		rep, err = s.EnsureLockTable(ctx, st.LockTable, opts)
		if err != nil || len(rep.Changes) != 0 {
			b.Fatal(err, rep)
		}
	}
}
