package rebuild

import (
	"path/filepath"
	"strings"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/config"
)

// TargetID names the target a config rebuilds: its account, region,
// project and config file ("123456789012/eu-west-2/api/rebuild.hcl").
// What tfrebuild creates carries it as a tag (bootstrap.TagTarget), and a
// teardown deletes only what carries this target's: production and its DR
// config share a project, and the registries of a management account.
func TargetID(cfg *config.Config) string {
	name := "rebuild.hcl"
	if cfg.Filename != "" {
		name = filepath.Base(cfg.Filename)
	}
	return strings.Join([]string{cfg.Target.AccountID, cfg.Target.Region, tagSafe(cfg.Project), tagSafe(name)}, "/")
}

// tagSafe keeps the characters every AWS service accepts in a tag value.
func tagSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("_.:=+-@", r):
			return r
		}
		return '_'
	}, s)
}

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
	return bootstrap.Options{Project: cfg.Project, Target: TargetID(cfg), Tags: cfg.Tags}
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
			a.behind.ask("state")
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
