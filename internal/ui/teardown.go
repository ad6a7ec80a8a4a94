package ui

import (
	"fmt"
	"io"

	"github.com/tfrebuild/tfrebuild/outcome"
)

// writeKept lists, after a teardown, what it kept and why, by account.
func writeKept(w io.Writer, items []outcome.TeardownItem) {
	for _, g := range outcome.GroupTeardown(items) {
		if g.Delete {
			continue
		}
		fmt.Fprintf(w, "\nkept in %s (%s, %s):\n", g.Account.Label(), g.Account.ID, g.Account.Region)
		for _, it := range g.Items {
			fmt.Fprintf(w, "  - %s: %s\n", it.Resource, it.Detail)
		}
	}
}

// WriteTeardownList writes what a teardown will delete and keep, grouped
// by account, before it deletes anything:
//
//	drill --fresh will delete in target (123456789012, eu-west-2):
//	  - s3://bucket: state bucket with every version of its objects
//	drill --fresh will keep in account "mgmt" (111111111111, eu-west-1):
//	  - ecr:api: created by target …; this target only uses it, so it is kept
func WriteTeardownList(w io.Writer, who string, items []outcome.TeardownItem) {
	if len(items) == 0 {
		fmt.Fprintf(w, "%s will delete nothing\n", who)
		return
	}
	for _, g := range outcome.GroupTeardown(items) {
		fmt.Fprintf(w, "%s %s:\n", who, g.Heading())
		for _, it := range g.Items {
			if it.Detail == "" {
				fmt.Fprintf(w, "  - %s\n", it.Resource)
				continue
			}
			fmt.Fprintf(w, "  - %s: %s\n", it.Resource, it.Detail)
		}
	}
}
