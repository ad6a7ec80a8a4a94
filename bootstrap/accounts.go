package bootstrap

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tfrebuild/tfrebuild/internal/cmdline"
)

// Account is one AWS account a rebuild works in, as plain values: the
// engine builds it from the target block or an account block.
type Account struct {
	// Name is the account block's label; "" for the target block.
	Name string
	// ID is the account_id the guard expects the caller to reach.
	ID     string
	Region string
	// RoleARN is assumed from the caller's base credentials; when empty the
	// base credentials are used as they are.
	RoleARN    string
	ExternalID string
}

// Label names the account as rebuild.hcl does, for messages.
func (a Account) Label() string {
	if a.Name == "" {
		return "target"
	}
	return fmt.Sprintf("account %q", a.Name)
}

// Credential lifetimes. An assumed role's credentials last an hour (the
// longest AWS allows when one role assumes another); the cache renews them
// once less than CredentialsExpiryWindow remains, so every Terraform
// command starts with at least that much time.
const (
	AssumeRoleDuration      = time.Hour
	CredentialsExpiryWindow = 30 * time.Minute
)

// newCredentialsCache caches p and renews its credentials
// CredentialsExpiryWindow before they expire.
func newCredentialsCache(p aws.CredentialsProvider) *aws.CredentialsCache {
	return aws.NewCredentialsCache(p, func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = CredentialsExpiryWindow })
}

// Sessions opens one Session per account from the caller's base
// credentials and keeps it, so that every stage in an account shares its
// clients and its credentials cache. It is safe for concurrent use.
type Sessions struct {
	base      aws.Config
	endpoints Endpoints
	project   string
	// callerRegion is the region the environment or profile selected.
	callerRegion string

	mu   sync.Mutex
	open map[string]*Session
}

// LoadSessions reads the caller's base credentials from the SDK's standard
// chain (environment, profiles, SSO, web identity) and the endpoint
// overrides from the environment. Nothing is called yet.
func LoadSessions(ctx context.Context, project string) (*Sessions, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx,
		awsconfig.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = maxAttempts })
		}),
		awsconfig.WithCredentialsCacheOptions(func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = CredentialsExpiryWindow }))
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	return NewSessions(cfg, EndpointsFromEnv(os.Getenv), project), nil
}

// NewSessions opens sessions from base: its credentials are the caller's,
// its region the one the caller selected ("" for none).
func NewSessions(base aws.Config, eps Endpoints, project string) *Sessions {
	if base.Credentials != nil {
		if _, cached := base.Credentials.(*aws.CredentialsCache); !cached {
			base.Credentials = newCredentialsCache(base.Credentials)
		}
	}
	return &Sessions{base: base, endpoints: eps, project: project, callerRegion: base.Region, open: map[string]*Session{}}
}

// For returns the session of an account, opening it on first use. The
// role is assumed lazily, on the first call that needs credentials.
// Asking for the same account name with other values is an error: two
// blocks cannot share a name.
func (ss *Sessions) For(a Account) (*Session, error) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if s, ok := ss.open[a.Name]; ok {
		if s.Account != a {
			return nil, fmt.Errorf("%s: opened for account %s in %s (role %q), asked for again as account %s in %s (role %q): "+
				"two blocks share the name", a.Label(), s.Account.ID, s.Account.Region, s.Account.RoleARN, a.ID, a.Region, a.RoleARN)
		}
		return s, nil
	}
	cfg := ss.base.Copy()
	cfg.Region = a.Region
	if a.RoleARN != "" {
		// STS in the account's region, called with the base credentials.
		provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), a.RoleARN, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = sessionName(ss.project)
			o.Duration = AssumeRoleDuration
			if a.ExternalID != "" {
				o.ExternalID = aws.String(a.ExternalID)
			}
		})
		cfg.Credentials = newCredentialsCache(provider)
	}
	s := NewSession(cfg, ss.endpoints)
	s.Account = a
	s.CallerRegion = ss.callerRegion
	ss.open[a.Name] = s
	return s, nil
}

// sessionName names the assumed-role session after the project, so that
// CloudTrail in each account shows who acted; STS allows 64 characters.
func sessionName(project string) string {
	name := "tfrebuild-" + project
	if len(name) > 64 {
		name = name[:64]
	}
	return name
}

// CLI is where an AWS CLI command a person runs for this account acts:
// its region, and, for an account other than the target, whose
// credentials to run it with.
func (a Account) CLI() cmdline.Where {
	return cmdline.Where{Region: a.Region, Account: a.ID, Label: a.Name, RoleARN: a.RoleARN, Other: a.Name != ""}
}
