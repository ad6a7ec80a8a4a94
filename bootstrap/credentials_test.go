package bootstrap

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

// callerOf asks STS, with the credentials in a Terraform environment, whose
// they are.
func callerOf(t *testing.T, m *testenv.Moto, env map[string]string) string {
	t.Helper()
	creds := credentials.NewStaticCredentialsProvider(env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], env["AWS_SESSION_TOKEN"])
	client := sts.NewFromConfig(aws.Config{Region: env["AWS_REGION"], Credentials: creds, BaseEndpoint: aws.String(m.URL)})
	out, err := client.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.Account)
}

func TestTerraformEnvActsInTheAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := testenv.SharedMoto(t)
	ss := sessionsAt(m)
	for _, tc := range []struct {
		acct Account
		want string
	}{{mgmtAcct, mgmtID}, {targetAcct, testenv.Account}} {
		env, err := openFor(t, ss, tc.acct).TerraformEnv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := callerOf(t, m, env); got != tc.want {
			t.Errorf("%s: Terraform's credentials act as account %s, want %s", tc.acct.Label(), got, tc.want)
		}
		if env["AWS_REGION"] != region || env["AWS_DEFAULT_REGION"] != region {
			t.Errorf("%s: region %q/%q", tc.acct.Label(), env["AWS_REGION"], env["AWS_DEFAULT_REGION"])
		}
		if v, ok := env["AWS_PROFILE"]; !ok || v != "" {
			t.Errorf("%s: AWS_PROFILE must be listed for removal, got %q %t", tc.acct.Label(), v, ok)
		}
	}
	env, _ := openFor(t, ss, mgmtAcct).TerraformEnv(ctx)
	if env["AWS_ACCESS_KEY_ID"] == "testing" || env["AWS_SESSION_TOKEN"] == "" {
		t.Error("the management account was handed the base credentials, not the assumed role's")
	}
}

// countingProvider hands out numbered credentials that expire after ttl.
type countingProvider struct {
	ttl   time.Duration
	calls atomic.Int32
}

func (p *countingProvider) Retrieve(context.Context) (aws.Credentials, error) {
	n := p.calls.Add(1)
	return aws.Credentials{AccessKeyID: fmt.Sprintf("key-%d", n), SecretAccessKey: "s", CanExpire: true,
		Expires: time.Now().Add(p.ttl)}, nil
}

// Credentials that would expire within the window are renewed before each
// Terraform command; others are reused.
func TestTerraformEnvRenewsBeforeExpiry(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		ttl       time.Duration
		wantCalls int32
		wantKey   string
	}{
		{"long-lived credentials are reused", 2 * time.Hour, 1, "key-1"},
		{"credentials inside the window are renewed", CredentialsExpiryWindow - time.Minute, 3, "key-3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := &countingProvider{ttl: tc.ttl}
			ss := NewSessions(aws.Config{Region: region, Credentials: p}, nil, "renew")
			s := openFor(t, ss, targetAcct)
			var env map[string]string
			for range 3 {
				var err error
				if env, err = s.TerraformEnv(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			if got := p.calls.Load(); got != tc.wantCalls || env["AWS_ACCESS_KEY_ID"] != tc.wantKey {
				t.Errorf("provider called %d times, handed %s; want %d and %s", got, env["AWS_ACCESS_KEY_ID"], tc.wantCalls, tc.wantKey)
			}
		})
	}
}
