package rebuild

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tfrebuild/tfrebuild/terraform"
	"github.com/tfrebuild/tfrebuild/tfstate"
)

// stateLost refuses to apply a stack whose state object is gone although
// this target applied the stack before (a state version is on record):
// Terraform would take the empty state for a new stack and try to create
// everything the stack already has. Run again, it would fail the same way
// for ever; instead the error says what happened, lists the earlier
// versions the versioned bucket keeps, and gives the command that puts
// one back.
func (a *applier) stateLost(ctx context.Context, ts terraform.Stack, prev stackState) error {
	if prev.stateVersion == "" {
		return nil
	}
	exists, err := a.existedBefore(ctx, prev.reads, ts.Backend)
	if err != nil || exists {
		return nil // unknown: Terraform reads it and says
	}
	l := a.locate(ts.Backend)
	var versions []tfstate.Version
	if s, err := a.stateClient(); err == nil {
		versions, _ = s.Versions(ctx, l)
	}
	return fmt.Errorf("the state of stack %s, %s, is gone: it was deleted from the bucket after tfrebuild applied the stack (%s on record). "+
		"Applying now would try to create everything the stack already has.\n%s", ts.Name, l, prev.stateVersion, restoreAdvice(l, versions))
}

// restoreAdvice lists a lost state's earlier versions, newest first, and
// the command that restores the newest.
func restoreAdvice(l tfstate.Location, versions []tfstate.Version) string {
	var b strings.Builder
	var newest string
	for _, v := range versions {
		if v.Deleted {
			fmt.Fprintf(&b, "  %s  deleted (delete marker %s)\n", v.Modified.UTC().Format(time.RFC3339), v.ID)
			continue
		}
		if newest == "" {
			newest = v.ID
		}
		fmt.Fprintf(&b, "  %s  version %s, %d bytes\n", v.Modified.UTC().Format(time.RFC3339), v.ID, v.Size)
	}
	if newest == "" {
		return "The bucket keeps no earlier version of it. Recover the state from a copy, or import the stack's resources " +
			"(terraform import) into an empty state, then run apply again."
	}
	owner := ""
	if l.Owner != "" {
		owner = " --expected-bucket-owner " + l.Owner
	}
	return fmt.Sprintf("The bucket keeps these versions of it, newest first:\n%sRestore the newest (or another, by its version) with:\n"+
		"  aws s3api copy-object --bucket %s --key %s --copy-source '%s/%s?versionId=%s'%s\nthen run apply again.",
		b.String(), l.Bucket, l.Key, l.Bucket, l.Key, newest, owner)
}
