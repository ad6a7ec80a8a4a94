package readiness

import (
	"context"
	"errors"
	"fmt"

	"github.com/tfrebuild/tfrebuild/bootstrap"
)

// Guard is the guard over one account, without writes
// (*bootstrap.Sessions).
type Guard interface {
	GuardAccount(ctx context.Context, a bootstrap.Account) (bootstrap.Identity, error)
}

// CheckAccess runs the guard over each account: its credentials or role
// can be used and land in its account_id (and, for the target, the
// environment selects no other region). It returns a check per account
// and which accounts passed, by name ("" is the target).
func CheckAccess(ctx context.Context, g Guard, accounts []bootstrap.Account) ([]Check, map[string]bool) {
	var out []Check
	passed := map[string]bool{}
	for _, a := range accounts {
		c := Check{Name: accessName(a)}
		id, err := g.GuardAccount(ctx, a)
		if err != nil {
			c.Verdict, c.Found, c.Do = Fail, err.Error(), accessFix(a, err)
		} else {
			passed[a.Name] = true
			c.Verdict = OK
			c.Found = fmt.Sprintf("%s reaches account %s in %s as %s", a.Label(), id.Account, a.Region, id.ARN)
		}
		out = append(out, c)
	}
	return out, passed
}

func accessName(a bootstrap.Account) string {
	if a.Name == "" {
		return "access.target"
	}
	return "access." + a.Name
}

// accessFix is the command that shows what the credentials reach.
func accessFix(a bootstrap.Account, err error) string {
	var g *bootstrap.GuardError
	if errors.As(err, &g) && g.What == "region" {
		return "export AWS_REGION=" + g.Want
	}
	if a.RoleARN != "" {
		return fmt.Sprintf("aws sts assume-role --role-arn %s --role-session-name tfrebuild-readiness --region %s", a.RoleARN, a.Region)
	}
	return "aws sts get-caller-identity --region " + a.Region
}

// blocked is the check of a subject in an account whose access failed:
// every answer read there would be about the wrong account.
func blocked(name string, a bootstrap.Account) Check {
	return Check{Name: name, Verdict: Fail,
		Found: fmt.Sprintf("not checked: access to %s (account %s) failed", a.Label(), a.ID),
		Do:    "fix " + accessName(a) + " first"}
}
