package bootstrap

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
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

// WriteCredentialsFile writes the session's current credentials to path as
// profile of an AWS shared credentials file, readable by the owner alone,
// and returns the function that removes it. It serves Terraform's S3
// backend when the state lives in another account than the stack: the
// backend names the profile and the file (profile, shared_credentials_files)
// while the environment holds the stack account's keys. Write it before
// each Terraform command and remove it after, so that renewed credentials
// are used and no secret outlives the command.
func (s *Session) WriteCredentialsFile(ctx context.Context, path, profile string) (remove func() error, err error) {
	if s.Config.Credentials == nil {
		return nil, fmt.Errorf("%s: no AWS credentials to write for Terraform", s.Account.Label())
	}
	c, err := s.Config.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: get credentials to write for Terraform: %w", s.Account.Label(), err)
	}
	text := fmt.Sprintf("[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n", profile, c.AccessKeyID, c.SecretAccessKey)
	if c.SessionToken != "" {
		text += "aws_session_token = " + c.SessionToken + "\n"
	}
	remove = func() error {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove the credentials file %s: %w", path, err)
		}
		return nil
	}
	// A file left by a crash may carry other permissions: start afresh.
	if err := remove(); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("%s: create the credentials file for Terraform: %w", s.Account.Label(), err)
	}
	_, werr := f.WriteString(text)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		_ = remove()
		return nil, fmt.Errorf("%s: write the credentials file for Terraform: %w", s.Account.Label(), werr)
	}
	return remove, nil
}
