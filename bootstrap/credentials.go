package bootstrap

import (
	"context"
	"fmt"
)

// TerraformEnv is the environment that makes Terraform, its providers and
// its S3 backend act in the session's account and region: the account's
// current credentials and region. Call it before every Terraform command:
// the credentials come from a cache that renews them once less than
// CredentialsExpiryWindow remains, so a long apply starts with fresh ones.
//
// A key whose value is "" must be removed from Terraform's environment,
// not set empty: the caller's own AWS_SESSION_TOKEN or AWS_PROFILE would
// otherwise pair with these keys or take precedence over them.
//
// The values are secrets: never log, record or report them.
func (s *Session) TerraformEnv(ctx context.Context) (map[string]string, error) {
	if s.Config.Credentials == nil {
		return nil, fmt.Errorf("%s: no AWS credentials to hand to Terraform", s.Account.Label())
	}
	c, err := s.Config.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: get credentials to hand to Terraform: %w", s.Account.Label(), err)
	}
	return map[string]string{
		"AWS_ACCESS_KEY_ID":     c.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY": c.SecretAccessKey,
		"AWS_SESSION_TOKEN":     c.SessionToken,
		"AWS_REGION":            s.Config.Region,
		"AWS_DEFAULT_REGION":    s.Config.Region,
		// A profile named in the environment must not replace the keys.
		"AWS_PROFILE":         "",
		"AWS_DEFAULT_PROFILE": "",
	}, nil
}
