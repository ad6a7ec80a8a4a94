package bootstrap

import (
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tfrebuild/tfrebuild/config"
)

// maxAttempts is the SDK retryer's attempt count: enough to ride through
// throttling during a region-wide recovery without hiding a real outage.
const maxAttempts = 8

// Session holds the AWS clients for one account.
type Session struct {
	// Account is the account the session was opened for.
	Account   Account
	Config    aws.Config
	Endpoints Endpoints
	// CallerRegion is the region the environment or profile asked for
	// before the target's was applied; "" when none was set.
	CallerRegion string

	S3  *s3.Client
	DDB *dynamodb.Client
	ECR *ecr.Client
	STS *sts.Client

	// owned are the buckets this session has proved the account's (by
	// account/bucket): a run proves its state bucket once, not again in
	// each step that needs the proof (the run lease, the state stage).
	owned *sync.Map
	// listed is the account's buckets listed ahead (bucket_ahead.go).
	listed *bucketList
	// described is repositories described ahead (registry_ahead.go).
	described *registriesAhead
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

// TargetAccount is the target block as an Account.
func TargetAccount(t config.Target) Account {
	return Account{ID: t.AccountID, Region: t.Region, RoleARN: t.RoleARN, ExternalID: t.ExternalID}
}

// NewSession builds the service clients from an aws.Config. With an S3
// endpoint override, S3 uses path-style addressing, as emulators need.
func NewSession(cfg aws.Config, eps Endpoints) *Session {
	cfg.APIOptions = append(slices.Clone(cfg.APIOptions), retryReport(attemptsOf(cfg)))
	return &Session{
		Config:    cfg,
		Endpoints: eps,
		S3: s3.NewFromConfig(cfg, func(o *s3.Options) {
			o.UsePathStyle = eps["s3"] != ""
			// Emulators return no checksums; the SDK would log each one.
			o.DisableLogOutputChecksumValidationSkipped = true
		}),
		DDB:       dynamodb.NewFromConfig(cfg),
		ECR:       ecr.NewFromConfig(cfg),
		STS:       sts.NewFromConfig(cfg),
		owned:     &sync.Map{},
		listed:    &bucketList{},
		described: &registriesAhead{},
	}
}
