package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

var (
	ctyString = cty.String
	ctyBool   = cty.Bool
	identRe   = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)
	accountRe = regexp.MustCompile(`^[0-9]{12}$`)
	regionRe  = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]{1,2}$`)
	bucketRe  = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*[a-z0-9]$`)
	tableRe   = regexp.MustCompile(`^[A-Za-z0-9_.-]{3,255}$`)
	repoRe    = regexp.MustCompile(`^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$`)
	roleARNRe = regexp.MustCompile(`^arn:aws[a-z-]*:iam::([0-9]{12}):role/[\w+=,.@/-]+$`)
	versionRe = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$`)
)

func validAccountID(s string) error {
	if !accountRe.MatchString(s) {
		return fmt.Errorf("account id %q must be exactly 12 digits (quote it so leading zeros survive)", s)
	}
	return nil
}

func validRegion(s string) error {
	if !regionRe.MatchString(s) {
		return fmt.Errorf("%q is not an AWS region name such as \"eu-west-2\" or \"us-east-1\"", s)
	}
	return nil
}

func validRoleARN(s, account string) error { return validRoleARNIn(s, account, "target.account_id") }

func validRoleARNIn(s, account, what string) error {
	m := roleARNRe.FindStringSubmatch(s)
	if m == nil {
		return fmt.Errorf("%q is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)", s)
	}
	if account != "" && m[1] != account {
		return fmt.Errorf("role %q is in account %s, but %s is %s; the guard would refuse every run", s, m[1], what, account)
	}
	return nil
}

// validBucketName applies the S3 general purpose bucket naming rules.
func validBucketName(s string) error {
	switch {
	case len(s) < 3 || len(s) > 63:
		return fmt.Errorf("bucket name %q must be 3 to 63 characters long (it is %d)", s, len(s))
	case !bucketRe.MatchString(s):
		return fmt.Errorf("bucket name %q may use only lowercase letters, digits, '.' and '-', and must begin and end with a letter or digit", s)
	case strings.Contains(s, ".."):
		return fmt.Errorf("bucket name %q must not contain two adjacent periods", s)
	case net.ParseIP(s) != nil:
		return fmt.Errorf("bucket name %q must not look like an IP address", s)
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(s, p) {
			return fmt.Errorf("bucket name %q must not start with %q (reserved by S3)", s, p)
		}
	}
	for _, p := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(s, p) {
			return fmt.Errorf("bucket name %q must not end with %q (reserved by S3)", s, p)
		}
	}
	return nil
}

func validTableName(s string) error {
	if !tableRe.MatchString(s) {
		return fmt.Errorf("table name %q must be 3 to 255 characters of letters, digits, '_', '-' and '.'", s)
	}
	return nil
}

func validRepositoryName(s string) error {
	if len(s) < 2 || len(s) > 256 || !repoRe.MatchString(s) {
		return fmt.Errorf("repository name %q must be 2 to 256 lowercase letters, digits and '.', '_', '-' or '/' separators, starting and ending with a letter or digit", s)
	}
	return nil
}

func validVersionOf(s, engine string) error {
	if !versionRe.MatchString(s) {
		name, example := "Terraform", "1.11.4"
		if engine == EngineOpenTofu {
			name, example = "OpenTofu", "1.12.6"
		}
		return fmt.Errorf("%q is not an exact %s version such as %q", s, name, example)
	}
	return nil
}

func validJSONObject(s string) error {
	var v map[string]any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return fmt.Errorf("not a JSON object: %v", err)
	}
	if _, ok := v["rules"]; !ok {
		return errors.New(`an ECR lifecycle policy needs a "rules" list`)
	}
	return nil
}

func oneOf(allowed ...string) func(string) error {
	return func(s string) error {
		if contains(allowed, s) {
			return nil
		}
		return fmt.Errorf("%q is not one of %s.%s", s, joinOr(quoteAll(allowed)), didYouMean(s, allowed))
	}
}

func quoteAll(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// keepLastPolicy is the lifecycle policy that keep_last = N stands for.
func keepLastPolicy(n int) string {
	return fmt.Sprintf(`{"rules":[{"rulePriority":1,"description":"keep the last %d images","selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":%d},"action":{"type":"expire"}}]}`, n, n)
}
