package rebuild

import (
	"context"
	"slices"

	"github.com/zclconf/go-cty/cty"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/stages"
	"github.com/tfrebuild/tfrebuild/terraform"
)

// The statuses status shows for what a destroy did to a stage, until the
// stage runs again.
const (
	// Destroyed: the teardown removed everything the stage had built.
	Destroyed stages.Status = "destroyed"
	// Kept: the teardown left something the target uses but did not
	// create (see TeardownItem).
	Kept stages.Status = "kept"
)

// recordTeardown writes into the stored checkpoint c what this destroy
// did to each of its stages: destroyed, kept, failed (with the error) or
// blocked behind a failure.
func (d *destroyer) recordTeardown(c *checkpoint.Checkpoint, res *stages.Result) {
	if res == nil {
		return
	}
	if c.Teardown == nil {
		c.Teardown = map[string]*checkpoint.TeardownRecord{}
	}
	at := d.now().UTC()
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, s := range d.pipeline.Stages {
		if s.Kind == stages.KindPreflight || s.Skipped {
			continue
		}
		r := &checkpoint.TeardownRecord{At: at, RunID: d.runID}
		switch got := res.Status[s.Name]; {
		case d.destroyed[s.Name] && d.keptSome[s.Name]:
			r.Status = Kept
		case d.destroyed[s.Name]:
			r.Status = Destroyed
		case got == stages.Failed || got == stages.Blocked || got == stages.Interrupted:
			r.Status = got
			if rec := d.ckpt.Lookup(s.Name); rec != nil && got == stages.Failed {
				r.Error = rec.Error
			}
		default:
			continue
		}
		c.Teardown[s.Name] = r
	}
}

// emptied reports whether a stack's state object exists and holds neither
// resources nor outputs: a stack an earlier destroy finished. Without a direct read
// of state objects it reports false, and Terraform destroys (a no-op).
func (d *destroyer) emptied(ctx context.Context, b terraform.Backend) (bool, error) {
	sc, ok, err := d.readContents(ctx, b)
	return ok && sc.Resources == 0 && sc.Outputs == 0, err
}

// goneOutputs are the outputs a stack declares that its state no longer
// holds (sorted).
func (d *destroyer) goneOutputs(stack string, have map[string]cty.Value) []string {
	st := d.cfg.Stack(stack)
	if st == nil || st.Module == nil {
		return nil
	}
	var gone []string
	for name := range st.Module.Outputs {
		if _, ok := have[name]; !ok {
			gone = append(gone, name)
		}
	}
	slices.Sort(gone)
	return gone
}
