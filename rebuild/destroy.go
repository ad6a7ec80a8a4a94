package rebuild

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/outcome"
	"github.com/tfrebuild/tfrebuild/stages"
)

// DestroyOptions steer a teardown.
type DestroyOptions struct {
	Common
	// All also deletes the registries, the lock table and the state bucket,
	// when this target created them.
	All bool
	// EmptyDrillBuckets empties, every version, the buckets the drill's
	// rebuild created (recorded in the checkpoint) before their stack is
	// destroyed: a drill's own teardown.
	EmptyDrillBuckets bool
}

// destroyer is the teardown mode: it holds the run lock and, at the end,
// makes the checkpoint forget what it removed.
type destroyer struct {
	*core
	destroyed map[string]bool
	// dry lists what the teardown would delete and keep (TeardownList),
	// and deletes nothing; listed is that list.
	dry    bool
	listed []outcome.TeardownItem
	// drillCreated is what the checkpoint records this target created,
	// read when a drill's teardown empties the buckets its rebuild made.
	drillCreated []checkpoint.Created
	// keptSome are the bootstrap stages that kept something (a resource
	// this target uses but did not create).
	keptSome map[string]bool
}

// Destroy tears the target down in reverse order, for drills: each stack
// after everything that depends on it, then (with All) the registries and
// the state. It holds the run lock, and afterwards the checkpoint forgets
// what was destroyed, so that the next apply builds it again.
func Destroy(ctx context.Context, cfg *config.Config, opts DestroyOptions) (_ *outcome.Summary, runErr error) {
	p, err := stages.BuildDestroy(cfg, opts.With, opts.All)
	if err != nil {
		return nil, err
	}
	d := &destroyer{core: newCore(cfg, p, opts.Common, "destroy", "work"), destroyed: map[string]bool{}, keptSome: map[string]bool{}}
	d.noClock = true
	store, err := d.deps.Store(ctx, cfg, false)
	if err != nil {
		return nil, err
	}
	if store != nil {
		lock, _, err := store.Lock(ctx, d.holder())
		if err != nil {
			return nil, err
		}
		defer releaseRunLock(ctx, lock, &runErr)
		c, err := store.Load(ctx)
		if err != nil {
			return nil, err
		}
		if c != nil && opts.EmptyDrillBuckets {
			d.drillCreated = c.Created
		}
		if c != nil && !c.StartedAt.IsZero() {
			d.bus.SetRebuild(&events.RebuildRef{StartedAt: c.StartedAt, RunID: c.RunID})
		}
	}
	start := time.Now()
	ctx, stopRun := d.withRunContext(ctx)
	defer stopRun(nil)
	res, runErr := d.execute(ctx, d.runStage, nil)
	d.closeTerraform()
	runErr = d.endLease(ctx, runErr)
	if store != nil {
		runErr = errors.Join(runErr, d.forget(ctx, store, res))
	}
	d.finish(res, runErr)
	sum := d.summary(res, start)
	sum.Teardown = d.listed
	return sum, runErr
}

func (d *destroyer) runStage(ctx context.Context, s *stages.Stage) error {
	k, err := kindOf(s)
	if err != nil {
		return err
	}
	return k.destroy(ctx, d, s)
}

// forget drops the checkpoint records of what was destroyed.
func (d *destroyer) forget(ctx context.Context, store checkpoint.Store, res *stages.Result) error {
	c, err := store.Load(ctx)
	if err != nil || c == nil {
		return err
	}
	d.recordTeardown(c, res)
	for name := range d.destroyed {
		delete(c.Stages, name)
	}
	for _, name := range d.cfg.RestoreStagesOf(d.destroyed) {
		delete(c.Stages, name)
	}
	// What was built is gone: the rebuild is over (its clock stops), and
	// the next apply begins a new one, with its own scope and
	// confirmations.
	c.EndRebuild()
	forgetConfirmations(c)
	d.forgetDeleted(c)
	if d.destroyed["state"] {
		c.Stages = nil
	}
	return store.Save(ctx, c)
}

func (d *destroyer) stack(ctx context.Context, st *config.Stack) error {
	name := "stack." + st.Name
	ts := d.tfStack(st)
	exists, err := d.stateExists(ctx, ts.Backend)
	if err != nil {
		return err
	}
	if !exists {
		d.note(name, "no state: nothing to destroy")
		d.markDestroyed(name)
		return nil
	}
	if empty, err := d.emptied(ctx, ts.Backend); err != nil {
		return err
	} else if empty {
		d.note(name, "already destroyed: its state ("+ts.Backend.Key+") holds no resources")
		d.markDestroyed(name)
		return nil
	}
	if d.dry {
		d.listStack(st, ts.Backend.Key)
		return nil
	}
	if err := d.readUpstream(ctx, st); err != nil {
		return err
	}
	if ts.Vars, err = d.inputs(st); err != nil {
		return err
	}
	if err := d.emptyDrillBuckets(ctx, st, ts.Backend); err != nil {
		return err
	}
	changed, err := d.tf.Destroy(ctx, ts)
	if err != nil {
		return err
	}
	d.markDestroyed(name)
	if changed {
		d.note(name, "destroyed everything in its state ("+ts.Backend.Key+")")
	} else {
		d.note(name, "its state was already empty")
	}
	return nil
}

// readUpstream reads the outputs a stack's inputs need from its upstream
// stacks: they still exist, since they are destroyed after it.
func (d *destroyer) readUpstream(ctx context.Context, st *config.Stack) error {
	for _, dep := range d.cfg.StackDeps(st) {
		if ps := d.pipeline.Get("stack." + dep); ps == nil || ps.Skipped {
			continue
		}
		outs, _, err := d.stackOutputs(ctx, d.tfStack(d.cfg.Stack(dep)))
		if err != nil {
			return fmt.Errorf("read the outputs of stack %q for %s's inputs: %w", dep, st.Name, err)
		}
		vals := outs.Values
		if gone := d.goneOutputs(dep, vals); len(gone) > 0 {
			// A stack whose destroy began (and failed) has lost its
			// outputs: what read them gets null, for the teardown only.
			vals = maps.Clone(vals)
			for _, o := range gone {
				vals[o] = cty.NullVal(cty.DynamicPseudoType)
			}
			d.note("stack."+st.Name, fmt.Sprintf("stack %s's outputs %s are gone (its destroy began in an earlier run): null in %s's inputs for this teardown",
				dep, strings.Join(gone, ", "), st.Name))
		}
		d.mu.Lock()
		d.scope.SetOutputs(dep, vals)
		d.mu.Unlock()
	}
	return nil
}

func (d *destroyer) markDestroyed(stage string) {
	d.mu.Lock()
	d.destroyed[stage] = true
	d.mu.Unlock()
}

// teardown reports a bootstrap deletion and marks the stage destroyed when
// it succeeded.
func (d *destroyer) teardown(stage string, rep *bootstrap.Report, err error) error {
	d.report(stage, rep)
	if err == nil {
		d.markDestroyed(stage)
	}
	return err
}
