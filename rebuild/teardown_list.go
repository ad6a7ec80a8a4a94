package rebuild

import (
	"context"
	"fmt"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/outcome"
	"github.com/tfrebuild/tfrebuild/stages"
)

// TeardownList is what Destroy with these options would delete and keep,
// read-only and behind the guard: the stacks whose states exist and,
// with All, the registries, lock table and state bucket, each judged by
// whether this target created it. drill --fresh prints it before it
// deletes anything.
func TeardownList(ctx context.Context, cfg *config.Config, opts DestroyOptions) ([]outcome.TeardownItem, error) {
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
			d.listed = append(d.listed, outcome.TeardownItem{Account: acct, Resource: ch.Resource, Delete: ch.Action == bootstrap.Delete, Detail: ch.Detail})
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
	d.listed = append(d.listed, outcome.TeardownItem{Account: accountOf(d.cfg, st.Account),
		Resource: fmt.Sprintf("the state of stack %s (%s) and everything in it", st.Name, key), Delete: true})
}
