package outcome

import (
	"fmt"
	"slices"

	"github.com/tfrebuild/tfrebuild/bootstrap"
)

// TeardownItem is one thing a teardown deletes or keeps, in the account
// it lives in.
type TeardownItem struct {
	Account bootstrap.Account
	// Resource names it: "s3://bucket", "ecr:repo", "the state of stack
	// NAME (KEY) and everything in it".
	Resource string
	Delete   bool
	// Detail is what is deleted with it, or why it is kept.
	Detail string
}

// TeardownGroup is what a teardown deletes or keeps in one account.
type TeardownGroup struct {
	Account bootstrap.Account
	Delete  bool
	Items   []TeardownItem
}

// Heading is "will delete in target (123456789012, eu-west-2)".
func (g TeardownGroup) Heading() string {
	verb := "will keep"
	if g.Delete {
		verb = "will delete"
	}
	return fmt.Sprintf("%s in %s (%s, %s)", verb, g.Account.Label(), g.Account.ID, g.Account.Region)
}

// GroupTeardown groups items by account and by what happens to them:
// every account's deletions first, then what is kept, in the order the
// teardown meets them.
func GroupTeardown(items []TeardownItem) []TeardownGroup {
	var out []TeardownGroup
	for _, del := range []bool{true, false} {
		for _, it := range items {
			if it.Delete != del {
				continue
			}
			i := slices.IndexFunc(out, func(g TeardownGroup) bool { return g.Delete == del && g.Account == it.Account })
			if i < 0 {
				out = append(out, TeardownGroup{Account: it.Account, Delete: del})
				i = len(out) - 1
			}
			out[i].Items = append(out[i].Items, it)
		}
	}
	return out
}
