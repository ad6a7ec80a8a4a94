package bootstrap

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tfrebuild/tfrebuild/config"
)

// maxAttempts is the SDK retryer's attempt count: enough to ride through
// throttling during a region-wide recovery without hiding a real outage.
const maxAttempts = 8

// Session holds the AWS clients for one target.
type Session struct {
	Config    aws.Config
	Endpoints Endpoints
	// CallerRegion is the region the environment or profile asked for
	// before the target's was applied; "" when none was set.
	CallerRegion string

	S3  *s3.Client
	DDB *dynamodb.Client
	ECR *ecr.Client
	STS *sts.Client
}

// Endpoints are endpoint overrides by service, as the SDK reads them from
// AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>; they are handed to
// Terraform's S3 backend too.
type Endpoints map[string]string

// EndpointsFromEnv reads the standard endpoint variables for the services
// tfrebuild and the S3 backend use.
func EndpointsFromEnv(getenv func(string) string) Endpoints {
	out := Endpoints{}
	for _, svc := range []string{"s3", "dynamodb", "sts", "ecr", "iam"} {
		if v := getenv("AWS_ENDPOINT_URL_" + strings.ToUpper(svc)); v != "" {
			out[svc] = v
		} else if v := getenv("AWS_ENDPOINT_URL"); v != "" {
			out[svc] = v
		}
	}
	return out
}

// Load builds a session from the SDK's standard credential chain
// (environment, profiles, SSO, web identity), then assumes target.role_arn
// when one is set. Clients are pinned to the target's region.
func Load(ctx context.Context, project string, t config.Target) (*Session, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx,
		awsconfig.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = maxAttempts })
		}))
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	callerRegion := cfg.Region
	cfg.Region = t.Region
	if t.RoleARN != "" {
		provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), t.RoleARN, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = "tfrebuild-" + project
			if t.ExternalID != "" {
				o.ExternalID = aws.String(t.ExternalID)
			}
		})
		cfg.Credentials = aws.NewCredentialsCache(provider)
	}
	s := NewSession(cfg, EndpointsFromEnv(os.Getenv))
	s.CallerRegion = callerRegion
	return s, nil
}

// NewSession builds the service clients from an aws.Config. With an S3
// endpoint override, S3 uses path-style addressing, as emulators need.
func NewSession(cfg aws.Config, eps Endpoints) *Session {
	return &Session{
		Config:    cfg,
		Endpoints: eps,
		S3: s3.NewFromConfig(cfg, func(o *s3.Options) {
			o.UsePathStyle = eps["s3"] != ""
			// Emulators return no checksums; the SDK would log each one.
			o.DisableLogOutputChecksumValidationSkipped = true
		}),
		DDB: dynamodb.NewFromConfig(cfg),
		ECR: ecr.NewFromConfig(cfg),
		STS: sts.NewFromConfig(cfg),
	}
}
