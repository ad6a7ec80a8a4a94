package rebuild

import (
	"context"
	"fmt"
	"slices"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/stages"
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

// TeardownList is what Destroy with these options would delete and keep,
// read-only and behind the guard: the stacks whose states exist and,
// with All, the registries, lock table and state bucket, each judged by
// whether this target created it. drill --fresh prints it before it
// deletes anything.
func TeardownList(ctx context.Context, cfg *config.Config, opts DestroyOptions) ([]TeardownItem, error) {
	p, err := stages.BuildDestroy(cfg, opts.With, opts.All)
	if err != nil {
		return nil, err
	}
	opts.Sinks = nil
	d := &destroyer{core: newCore(cfg, p, opts.Common, "destroy", "work"), destroyed: map[string]bool{}, keptSome: map[string]bool{}, dry: true}
	d.noClock = true
	_, err = d.execute(ctx, d.runStage, nil)
	d.closeTerraform()
	return d.listed, err
}

// teardownOptions are the bootstrap options of a teardown: this target's
// ownership, and a dry run when only listing.
func (d *destroyer) teardownOptions() bootstrap.Options {
	o := ownerOptions(d.cfg)
	o.DryRun = d.dry
	return o
}

// list records what a bootstrap teardown deleted, would delete, or kept.
func (d *destroyer) list(stage string, acct bootstrap.Account, rep *bootstrap.Report) {
	if rep == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, ch := range rep.Changes {
		switch ch.Action {
		case bootstrap.Delete, bootstrap.Keep:
			d.listed = append(d.listed, TeardownItem{Account: acct, Resource: ch.Resource, Delete: ch.Action == bootstrap.Delete, Detail: ch.Detail})
			if ch.Action == bootstrap.Keep {
				d.keptSome[stage] = true
			}
		}
	}
}

// listStack records a stack whose state a teardown destroys.
func (d *destroyer) listStack(st *config.Stack, key string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.listed = append(d.listed, TeardownItem{Account: accountOf(d.cfg, st.Account),
		Resource: fmt.Sprintf("the state of stack %s (%s) and everything in it", st.Name, key), Delete: true})
}
