package bootstrap

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// NoCredentialsError is a guard that found no AWS credentials at all: it
// lists where the SDK looked, so that a person knows what to set.
type NoCredentialsError struct {
	Account Account
	Checked []string
	Err     error
}

func (e *NoCredentialsError) Error() string {
	return fmt.Sprintf("guard: %s: no AWS credentials found (checked: %s); nothing was written. "+
		"Set AWS_PROFILE to a profile that reaches account %s, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), then run again",
		e.Account.Label(), strings.Join(e.Checked, "; "), e.Account.ID)
}

func (e *NoCredentialsError) Unwrap() error { return e.Err }

// noCredentials reports whether err is the SDK finding no credentials in
// any of its sources (as opposed to credentials that failed).
func noCredentials(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "no EC2 IMDS role found") || strings.Contains(s, "failed to refresh cached credentials") &&
		(strings.Contains(s, "EC2 IMDS") || strings.Contains(s, "ec2imds")) || strings.Contains(s, "NoCredentialProviders")
}

// credentialSources says where the default chain looked, with what it
// found there, in its order.
func credentialSources(getenv func(string) string) []string {
	var out []string
	set := func(k string) string {
		if getenv(k) != "" {
			return k + " set"
		}
		return k + " unset"
	}
	out = append(out, "environment ("+set("AWS_ACCESS_KEY_ID")+", "+set("AWS_SECRET_ACCESS_KEY")+")")
	profile := getenv("AWS_PROFILE")
	if profile == "" {
		profile = "default"
	}
	home, _ := os.UserHomeDir()
	if h := getenv("HOME"); h != "" {
		home = h
	}
	for _, f := range []struct{ env, name string }{{"AWS_CONFIG_FILE", "config"}, {"AWS_SHARED_CREDENTIALS_FILE", "credentials"}} {
		path := getenv(f.env)
		if path == "" {
			path = filepath.Join(home, ".aws", f.name)
		}
		state := "no profile " + profile
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			state = "missing"
		}
		out = append(out, fmt.Sprintf("profile %s in %s (%s)", profile, path, state))
	}
	out = append(out, "web identity ("+set("AWS_WEB_IDENTITY_TOKEN_FILE")+")", "container credentials ("+set("AWS_CONTAINER_CREDENTIALS_FULL_URI")+")")
	if strings.EqualFold(getenv("AWS_EC2_METADATA_DISABLED"), "true") {
		out = append(out, "EC2 instance metadata (disabled by AWS_EC2_METADATA_DISABLED)")
	} else {
		out = append(out, "EC2 instance metadata (no instance role)")
	}
	return out
}
