package rebuild

import (
	"strings"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/config"
)

// recordCreated records in the checkpoint what a bootstrap step created
// for this target (a plan creates nothing: its changes are not applied).
func (c *core) recordCreated(stage string, acct bootstrap.Account, rep *bootstrap.Report) {
	if rep == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ch := range rep.Changes {
		if ch.Action == bootstrap.Create && ch.Applied && c.ckpt != nil {
			c.ckpt.AddCreated(checkpoint.Created{Resource: ch.Resource, Account: acct.ID, Region: acct.Region, Stage: stage, At: c.now().UTC()})
		}
	}
}

// forgetDeleted drops from the checkpoint's record what the teardown
// deleted.
func (d *destroyer) forgetDeleted(c *checkpoint.Checkpoint) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, it := range d.listed {
		if it.Delete && !strings.HasPrefix(it.Resource, "the state of stack") {
			c.ForgetCreated(it.Resource, it.Account.ID, it.Account.Region)
		}
	}
	// What a destroyed stack created went with it.
	kept := c.Created[:0]
	for _, r := range c.Created {
		if !d.destroyed[r.Stage] || !strings.HasPrefix(r.Stage, "stack.") {
			kept = append(kept, r)
		}
	}
	c.Created = kept
	if len(kept) == 0 {
		c.Created = nil
	}
}

// ownerOptions are the bootstrap options that name this target: its
// project, its target tag and the config's tags.
func ownerOptions(cfg *config.Config) bootstrap.Options {
	return bootstrap.Options{Project: cfg.Project, Target: cfg.TargetID(), Tags: cfg.Tags}
}

// intendBucket makes the state bucket's creation recoverable: its intent
// is recorded and saved before the create call, and a bucket whose intent
// is on record is this target's own to tag and harden, though a run that
// died after creating it left it untagged.
func (a *applier) intendBucket(o *bootstrap.Options) {
	acct, err := a.stateAccount()
	if err != nil {
		return
	}
	id, region := acct.Account.ID, acct.Account.Region
	a.mu.Lock()
	o.Intended = a.ckpt.Intended("s3://"+a.cfg.State.Bucket, id)
	a.mu.Unlock()
	o.BeforeCreate = func(res string) error {
		a.mu.Lock()
		a.ckpt.AddCreated(checkpoint.Created{Resource: res, Account: id, Region: region, Stage: "state", At: a.now().UTC(), Intent: true})
		a.mu.Unlock()
		if a.behind != nil {
			a.behind.Ask("state")
		}
		a.flush()
		return nil
	}
}

// createdAfterAll records a resource whose creation an earlier run began
// as created, once this run has tagged and hardened it.
func (c *core) createdAfterAll(stage string, acct bootstrap.Account, resource string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ckpt.AddCreated(checkpoint.Created{Resource: resource, Account: acct.ID, Region: acct.Region, Stage: stage, At: c.now().UTC()})
}
