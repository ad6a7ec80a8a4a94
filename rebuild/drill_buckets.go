package rebuild

import (
	"context"
	"fmt"
	"strings"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/terraform"
	"github.com/tfrebuild/tfrebuild/tfstate"
)

// A drill's rebuild creates its buckets from nothing, and its teardown
// must delete them even when they are versioned and hold data, without
// force_destroy in the team's code. The buckets a drill's apply created
// are recorded in the checkpoint (Created, with the stack's stage); the
// teardown empties those, every version, just before Terraform destroys
// their stack, and no other bucket.

// bucketEmptier is the part of an account's session that empties a bucket
// (*bootstrap.Session).
type bucketEmptier interface {
	EmptyBucket(ctx context.Context, account, bucket string) (int, error)
}

// readContents reads and parses a stack's state object; ok is false when
// it does not exist.
func (c *core) readContents(ctx context.Context, b terraform.Backend) (tfstate.Contents, bool, error) {
	obj, err := c.readObject(ctx, b)
	if err != nil || obj.Body == nil {
		return tfstate.Contents{}, false, err
	}
	sc, err := tfstate.ParseContents(obj.Body)
	if err != nil {
		return sc, false, fmt.Errorf("read the state %s: %w", b.Key, err)
	}
	return sc, true, nil
}

// recordDrillBuckets records, in a drill's apply, the buckets this apply
// created (and only those: not one that existed or was imported).
func (a *applier) recordDrillBuckets(ctx context.Context, st *config.Stack, ts terraform.Stack, changes *terraform.ChangeLog) {
	if a.opts.Mode != "drill" {
		return
	}
	created := changes.Created()
	if len(created) == 0 {
		return
	}
	sc, ok, err := a.readContents(ctx, ts.Backend)
	if err != nil || !ok {
		a.note("stack."+st.Name, "could not read which buckets this drill created; its teardown will not empty them")
		return
	}
	acct := accountOf(a.cfg, st.Account)
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, b := range sc.Buckets {
		if created[b.Address] {
			a.ckpt.AddCreated(checkpoint.Created{Resource: "s3://" + b.Name, Account: acct.ID, Region: acct.Region,
				Stage: "stack." + st.Name, At: a.now().UTC()})
		}
	}
}

// emptyDrillBuckets empties, before Terraform destroys a stack in a
// drill's teardown, the buckets of its state that the drill's rebuild
// created.
func (d *destroyer) emptyDrillBuckets(ctx context.Context, st *config.Stack, b terraform.Backend) error {
	name := "stack." + st.Name
	mine := map[string]bool{}
	for _, c := range d.drillCreated {
		if c.Stage == name && strings.HasPrefix(c.Resource, "s3://") {
			mine[strings.TrimPrefix(c.Resource, "s3://")] = true
		}
	}
	if len(mine) == 0 {
		return nil
	}
	sc, ok, err := d.readContents(ctx, b)
	if err != nil || !ok {
		return err
	}
	acct, err := d.account(st.Account)
	if err != nil {
		return err
	}
	em, can := acct.Cloud.(bucketEmptier)
	for _, sb := range sc.Buckets {
		if !mine[sb.Name] {
			continue
		}
		if !can {
			d.note(name, "bucket "+sb.Name+" not emptied: this session cannot empty buckets")
			continue
		}
		n, err := em.EmptyBucket(ctx, acct.Account.ID, sb.Name)
		if err != nil {
			return fmt.Errorf("empty bucket %s (%s), which this drill created, before destroying stack %s: %w", sb.Name, sb.Address, st.Name, err)
		}
		d.note(name, fmt.Sprintf("emptied bucket %s (%s): %d object versions and delete markers; this drill's rebuild created it", sb.Name, sb.Address, n))
	}
	return nil
}
