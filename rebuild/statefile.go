package rebuild

import (
	"context"
	"fmt"
	"sync"

	"github.com/tfrebuild/tfrebuild/internal/cmdline"
	"github.com/tfrebuild/tfrebuild/terraform"
	"github.com/tfrebuild/tfrebuild/tfstate"
)

// A stack that is done, with an unchanged fingerprint, is skipped without
// starting any Terraform process when its state object is provably the one
// its last apply left: the checkpoint records the object's version (S3
// VersionId; the ETag where the bucket keeps no versions) when the stage
// finishes, and a resume compares it with the object's version now, read
// together with the outputs in one GetObject. A different version means
// someone wrote the state since: the stack is planned again.
//
// Every read of a state object, its existence or its lock goes through
// the state account's States (tfstate), never the target's session.

// stateVersions remembers the version of each state object this run read,
// so that the version recorded for a stack is the one its outputs came
// from.
type stateVersions struct {
	mu   sync.Mutex
	seen map[string]string // state key → version last read
}

// saw remembers the version of a key last read.
func (r *stateVersions) saw(key, version string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen == nil {
		r.seen = map[string]string{}
	}
	r.seen[key] = version
}

// forget drops the version read of a key: the stack is applied next, and
// what it recorded must be read after that.
func (r *stateVersions) forget(key string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.seen, key)
}

func (r *stateVersions) lastSeen(key string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seen[key]
}

// stateClient is the state account's States.
func (c *core) stateClient() (States, error) {
	s, err := c.stateAccount()
	if err != nil {
		return nil, err
	}
	if s.States == nil {
		return nil, fmt.Errorf("%s: no client for the state bucket s3://%s", s.Account.Label(), c.cfg.State.Bucket)
	}
	return s.States, nil
}

// locate is where a stack's backend keeps its state, with the bucket's
// expected owner: the state's account.
func (c *core) locate(b terraform.Backend) tfstate.Location {
	a := c.cfg.AccountFor(c.cfg.State.Account)
	return tfstate.Location{Bucket: b.Bucket, Key: b.Key, Region: b.Region, Account: c.cfg.State.Account, Owner: a.AccountID,
		LockTable: b.LockTable, UseLockfile: b.UseLockfile, KMSKeyID: b.KMSKeyID}
}

// stateExists reports whether a stack's state object exists, asking the
// state's account.
func (c *core) stateExists(ctx context.Context, b terraform.Backend) (bool, error) {
	s, err := c.stateClient()
	if err != nil {
		return false, err
	}
	return s.Exists(ctx, c.locate(b))
}

// stateLock reads the lock on a stack's state, in the state's account.
func (c *core) stateLock(ctx context.Context, b terraform.Backend) (*tfstate.LockInfo, error) {
	s, err := c.stateClient()
	if err != nil {
		return nil, err
	}
	return s.Lock(ctx, c.locate(b))
}

// forceUnlock releases a lock on a stack's state whose holder is proved
// gone, with the state account's credentials.
func (c *core) forceUnlock(ctx context.Context, b terraform.Backend, lockID string) error {
	s, err := c.stateClient()
	if err != nil {
		return err
	}
	if err := c.verifyLease(ctx); err != nil {
		return err
	}
	return s.ForceUnlock(ctx, c.locate(b), lockID)
}

// readObject reads a stack's state object without remembering its
// version (reads made ahead).
func (c *core) readObject(ctx context.Context, b terraform.Backend) (tfstate.Object, error) {
	s, err := c.stateClient()
	if err != nil {
		return tfstate.Object{}, err
	}
	return s.Read(ctx, c.locate(b))
}

// readState reads a stack's state object and remembers its version.
func (c *core) readState(ctx context.Context, b terraform.Backend) (tfstate.Object, error) {
	obj, err := c.readObject(ctx, b)
	if err != nil {
		return obj, err
	}
	c.versions.saw(b.Key, obj.Version)
	return obj, nil
}

// stackOutputs reads a stack's outputs from its state object, without a
// Terraform process; exists is false when it has no state. The values of
// sensitive outputs are handed to the bus, which keeps them out of every
// event.
func (c *core) stackOutputs(ctx context.Context, ts terraform.Stack) (outs terraform.Outputs, exists bool, err error) {
	obj, err := c.readState(ctx, ts.Backend)
	if err != nil {
		return outs, false, fmt.Errorf("stack %s: %w", ts.Name, err)
	}
	outs, err = tfstate.Outputs(obj.Body)
	if err != nil {
		return outs, obj.Version != "", fmt.Errorf("stack %s: outputs in its state %s: %w", ts.Name, ts.Backend.Key, err)
	}
	c.secrets(outs.Values, outs.Sensitive)
	return outs, obj.Version != "", nil
}

// stateHolds reports whether a stack's state object holds a resource at
// address, read without a Terraform process.
func (c *core) stateHolds(ctx context.Context, ts terraform.Stack, address string) (bool, error) {
	obj, err := c.readObject(ctx, ts.Backend)
	if err != nil {
		return false, err
	}
	return holds(ts, obj, address)
}

// holds reports whether a stack's state object, as read, holds a
// resource at address.
func holds(ts terraform.Stack, obj tfstate.Object, address string) (bool, error) {
	has, err := tfstate.Holds(obj.Body, address)
	if err != nil {
		return false, fmt.Errorf("stack %s: the resources in its state %s: %w", ts.Name, ts.Backend.Key, err)
	}
	return has, nil
}

// readForSkip is read for a skip decision: it takes the read made ahead,
// if any (ahead may be nil). Nothing else does: a stack that is applied
// reads its outputs after its apply.
func (a *applier) readForSkip(ctx context.Context, b terraform.Backend, ahead *future[tfstate.Object]) (tfstate.Object, error) {
	if obj, ok := ahead.get(ctx); ok {
		a.versions.saw(b.Key, obj.Version)
		return obj, nil
	}
	return a.readState(ctx, b)
}

// outputsAfter are a stack's outputs after its apply. When the apply
// printed them all (none sensitive), they are taken from it, and the
// version of the state object it wrote is read and recorded behind the
// stage (versionBehind), so that the stack's dependents start at once;
// else they are read from the state object, with its version.
func (a *applier) outputsAfter(ctx context.Context, ts terraform.Stack, res *terraform.Result) (terraform.Outputs, error) {
	if res != nil && res.Outputs != nil {
		a.versionBehind(ctx, ts)
		return *res.Outputs, nil
	}
	outs, _, err := a.stackOutputs(ctx, ts)
	if err == nil {
		a.recordStateVersion(ctx, ts)
	}
	return outs, err
}

// versionBehind reads the version of the state object a stack's apply
// wrote and records it, off the stage; the run waits for it before its
// last checkpoint save. A run that ends before it is recorded leaves the
// version of an earlier apply on record, which the object no longer
// matches when this apply changed it: a resume then runs the stack again
// instead of skipping it.
func (a *applier) versionBehind(ctx context.Context, ts terraform.Stack) {
	a.versions.forget(ts.Backend.Key)
	a.later.Add(1)
	go func() {
		defer a.later.Done()
		a.recordStateVersion(context.WithoutCancel(ctx), ts)
	}()
}

// recordStateVersion keeps, in the stack's checkpoint record, the version
// of the state object its outputs were read from (read now when this run
// has not read it).
func (a *applier) recordStateVersion(ctx context.Context, ts terraform.Stack) {
	v := a.versions.lastSeen(ts.Backend.Key)
	if v == "" {
		if obj, err := a.readState(ctx, ts.Backend); err == nil {
			v = obj.Version
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.ckpt.Stage("stack." + ts.Name).StateVersion = v
}

func orNone(v string) string {
	if v == "" {
		return "no object"
	}
	return v
}

// stateCommand is an engine command on a stack's state (force-unlock,
// state push) as a person runs it: with, when the state lives in another
// account, whose credentials to use (the backend reads them from the
// environment).
func (c *core) stateCommand(stack string, args ...string) string {
	line := c.tf.Command(stack, args...)
	name := c.cfg.State.Account
	if name == "" {
		return line
	}
	t := c.cfg.AccountFor(name)
	return cmdline.For(cmdline.Where{Account: t.AccountID, Label: name, RoleARN: t.RoleARN, Other: true}, line)
}
