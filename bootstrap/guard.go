package bootstrap

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tfrebuild/tfrebuild/config"
)

// Identity is who the credentials belong to.
type Identity struct {
	Account string
	ARN     string
}

// GuardError is a caller that does not reach the account or region a
// block names. Nothing has been written when it is returned.
type GuardError struct {
	What      string // "account" or "region"
	Want, Got string
	ARN       string
	// Block is the failing block's label: "target", or `account "NAME"`.
	Block string
	// RoleARN is the role assumed to reach the account, if any.
	RoleARN string
}

func (e *GuardError) Error() string {
	block := e.Block
	if block == "" {
		block = "target"
	}
	field := "target.account_id"
	if block != "target" {
		field = "account_id"
	}
	switch {
	case e.What == "region":
		return fmt.Sprintf("guard: the environment selects region %s, but target.region is %s; nothing was written. "+
			"Set AWS_REGION=%s (or unset it) if %s is really the region to rebuild in", e.Got, e.Want, e.Want, e.Want)
	case e.RoleARN != "":
		return fmt.Sprintf("guard: %s: role %s leads to account %s (%s), but %s is %s; nothing was written. "+
			"Check role_arn and account_id in the %s block", block, e.RoleARN, e.Got, e.ARN, field, e.Want, block)
	default:
		return fmt.Sprintf("guard: %s: the credentials belong to account %s (%s), but %s is %s; nothing was written. "+
			"Use credentials for account %s, set a role_arn in account %s, or check %s", block, e.Got, e.ARN, field, e.Want, e.Want, e.Want, field)
	}
}

// Guard checks, before any write, that the caller is in the target account
// and that the environment does not select another region.
func (s *Session) Guard(ctx context.Context, t config.Target) (Identity, error) {
	if s.CallerRegion != "" && s.CallerRegion != t.Region {
		return Identity{}, &GuardError{What: "region", Want: t.Region, Got: s.CallerRegion}
	}
	return s.checkAccount(ctx, TargetAccount(t))
}

// checkAccount asks STS, with the session's credentials (assuming the role
// first when there is one), which account they reach.
func (s *Session) checkAccount(ctx context.Context, a Account) (Identity, error) {
	out, err := s.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if noCredentials(err) {
		return Identity{}, &NoCredentialsError{Account: a, Checked: credentialSources(os.Getenv), Err: err}
	}
	if err != nil {
		if a.RoleARN != "" {
			return Identity{}, fmt.Errorf("guard: %s: assume role %s and ask STS which account it reaches: %w; nothing was written. "+
				"Check that the role exists, trusts the caller and, if it asks for one, external_id", a.Label(), a.RoleARN, err)
		}
		return Identity{}, fmt.Errorf("guard: %s: ask STS who the credentials belong to: %w; nothing was written", a.Label(), err)
	}
	id := Identity{Account: aws.ToString(out.Account), ARN: aws.ToString(out.Arn)}
	if id.Account != a.ID {
		return id, &GuardError{What: "account", Want: a.ID, Got: id.Account, ARN: id.ARN, Block: a.Label(), RoleARN: a.RoleARN}
	}
	return id, nil
}

// Guard checks every account before anything is written anywhere: the
// caller reaches each one (through its role when it has one) and STS says
// it is the account_id the block names, and the environment does not
// select another region than the target's. It writes nothing. It returns
// the identity found in each account that passed, by Account.Name, and
// every failure joined, so that one run shows all the blocks to fix.
func (ss *Sessions) Guard(ctx context.Context, target Account, others ...Account) (map[string]Identity, error) {
	ids := map[string]Identity{}
	seen := map[string]bool{}
	var errs []error
	if ss.callerRegion != "" && ss.callerRegion != target.Region {
		errs = append(errs, &GuardError{What: "region", Want: target.Region, Got: ss.callerRegion})
	}
	for _, a := range append([]Account{target}, others...) {
		if seen[a.Name] {
			continue
		}
		seen[a.Name] = true
		if a.ID == "" || a.Region == "" {
			errs = append(errs, fmt.Errorf("guard: %s: account_id and region are required", a.Label()))
			continue
		}
		s, err := ss.For(a)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		id, err := s.checkAccount(ctx, a)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ids[a.Name] = id
	}
	return ids, errors.Join(errs...)
}

// GuardAccount checks one account as Guard does (the caller reaches it,
// through its role when it has one, and STS names its account_id), and
// for the target also the region the environment selects. It writes
// nothing: `tfrebuild readiness` reports each account on its own.
func (ss *Sessions) GuardAccount(ctx context.Context, a Account) (Identity, error) {
	if a.Name == "" && ss.callerRegion != "" && ss.callerRegion != a.Region {
		return Identity{}, &GuardError{What: "region", Want: a.Region, Got: ss.callerRegion}
	}
	if a.ID == "" || a.Region == "" {
		return Identity{}, fmt.Errorf("guard: %s: account_id and region are required", a.Label())
	}
	s, err := ss.For(a)
	if err != nil {
		return Identity{}, err
	}
	return s.checkAccount(ctx, a)
}
