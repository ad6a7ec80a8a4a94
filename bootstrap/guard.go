package bootstrap

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tfrebuild/tfrebuild/config"
)

// Identity is who the credentials belong to.
type Identity struct {
	Account string
	ARN     string
}

// GuardError is a caller that is not in the target account or region.
// Nothing has been written when it is returned.
type GuardError struct {
	What      string // "account" or "region"
	Want, Got string
	ARN       string
}

func (e *GuardError) Error() string {
	if e.What == "region" {
		return fmt.Sprintf("guard: the environment selects region %s, but target.region is %s; nothing was written. "+
			"Set AWS_REGION=%s (or unset it) if %s is really the region to rebuild in", e.Got, e.Want, e.Want, e.Want)
	}
	return fmt.Sprintf("guard: the credentials belong to account %s (%s), but target.account_id is %s; nothing was written. "+
		"Use credentials for account %s, or check target.account_id", e.Got, e.ARN, e.Want, e.Want)
}

// Guard checks, before any write, that the caller is in the target account
// and that the environment does not select another region.
func (s *Session) Guard(ctx context.Context, t config.Target) (Identity, error) {
	if s.CallerRegion != "" && s.CallerRegion != t.Region {
		return Identity{}, &GuardError{What: "region", Want: t.Region, Got: s.CallerRegion}
	}
	out, err := s.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Identity{}, fmt.Errorf("guard: ask STS who the credentials belong to: %w", err)
	}
	id := Identity{Account: aws.ToString(out.Account), ARN: aws.ToString(out.Arn)}
	if id.Account != t.AccountID {
		return id, &GuardError{What: "account", Want: t.AccountID, Got: id.Account, ARN: id.ARN}
	}
	return id, nil
}
