package rebuild

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tfrebuild/tfrebuild/internal/cmdline"
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
		"Applying now would try to create everything the stack already has.\n%s", ts.Name, l, prev.stateVersion, restoreAdvice(l, a.cfg.AccountFor(l.Account).RoleARN, versions, ApplyCommand(a.cfg.Filename, a.opts.scope())))
}

// stateDamaged explains a failed apply whose stack's state object is not
// a Terraform state (overwritten by hand, truncated, planted): what is
// wrong with it, the earlier versions the bucket keeps, and the command
// that restores the newest of those. nil when the state reads as one.
func (a *applier) stateDamaged(ctx context.Context, ts terraform.Stack, applyErr error) error {
	obj, err := a.readObject(ctx, ts.Backend)
	if err != nil || obj.Body == nil {
		return nil
	}
	bad := tfstate.Check(obj.Body)
	if bad == nil {
		return nil
	}
	l := a.locate(ts.Backend)
	var earlier []tfstate.Version
	if s, err := a.stateClient(); err == nil {
		versions, _ := s.Versions(ctx, l)
		for _, v := range versions {
			if !v.Latest {
				earlier = append(earlier, v)
			}
		}
	}
	return fmt.Errorf("the state of stack %s, %s, is damaged: %v; %s cannot use it, and tfrebuild runs nothing on it.\n%s\n(%s said: %s)",
		ts.Name, l, bad, a.engineTitle(), restoreAdvice(l, a.cfg.AccountFor(l.Account).RoleARN, earlier, ApplyCommand(a.cfg.Filename, a.opts.scope())),
		a.engineTitle(), terraform.FirstError(applyErr))
}

// restoreAdvice lists a lost state's earlier versions, newest first, the
// command that restores the newest (in the state's region, with whose
// credentials when it is another account's) and then the command that
// continues the rebuild (next). role is the state account's role, if any.
func restoreAdvice(l tfstate.Location, role string, versions []tfstate.Version, next string) string {
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
			"(terraform import) into an empty state, then continue with:\n  " + next
	}
	args := []string{"--bucket", l.Bucket, "--key", l.Key, "--copy-source", l.Bucket + "/" + l.Key + "?versionId=" + newest}
	if l.Owner != "" {
		args = append(args, "--expected-bucket-owner", l.Owner)
	}
	where := cmdline.Where{Region: l.Region, Account: l.Owner, Label: l.Account, RoleARN: role, Other: l.Account != ""}
	return fmt.Sprintf("The bucket keeps these versions of it, newest first:\n%sRestore the newest (or another, by its version) with:\n"+
		"  %s\nthen continue with:\n  %s", b.String(), cmdline.AWS(where, "s3api", "copy-object", args...), next)
}
