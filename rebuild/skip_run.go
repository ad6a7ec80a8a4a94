package rebuild

import (
	"context"
	"maps"
	"slices"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/restore"
	"github.com/tfrebuild/tfrebuild/terraform"
	"github.com/tfrebuild/tfrebuild/tfstate"
)

// skip gathers the skip decision's inputs for a stack, makes the reads it
// asks for, and reports whether the stack is up to date (its outputs are
// then set). decideSkip (skip.go) decides; this only reads.
func (a *applier) skip(ctx context.Context, st *config.Stack, ts terraform.Stack, fp string, prev stackState) bool {
	name := "stack." + st.Name
	in := skipInputs{Phase: a.phase, Only: slices.Contains(a.opts.scope().Only, st.Name), RestoredNow: a.restoresRanAfter(st),
		DoneThisRebuild: prev.wasDone, FingerprintWas: prev.prevFP, Fingerprint: fp,
		StateRecorded: prev.stateVersion, StateKey: ts.Backend.Key, DirectRead: true}
	v := decideSkip(in)
	var outs terraform.Outputs
	switch v.Action {
	case skipReadState:
		obj, err := a.readForSkip(ctx, ts.Backend, prev.reads.state)
		in.State = &stateSeen{Err: err, Version: obj.Version}
		if err == nil && obj.Version == in.StateRecorded {
			outs, err = tfstate.Outputs(obj.Body)
			in.State.OutputsMatch = err == nil && maps.Equal(hashOutputs(a.key, outs.Values), prev.prevOut)
		}
		v = decideSkip(in)
	case skipReadOutputs:
		var err error
		outs, _, err = a.stackOutputs(ctx, ts)
		in.State = &stateSeen{Err: err, OutputsMatch: err == nil && maps.Equal(hashOutputs(a.key, outs.Values), prev.prevOut)}
		v = decideSkip(in)
	}
	if v.Action != skipDone {
		if in.State != nil {
			a.versions.forget(ts.Backend.Key) // what the apply records is read after it
		}
		if v.Why != "" && in.Phase == phaseResume {
			a.note(name, v.Why)
		}
		return false
	}
	a.secrets(outs.Values, outs.Sensitive)
	a.setOutputs(st, outs, fp)
	if in.StateRecorded == "" {
		a.recordStateVersion(ctx, ts)
	}
	a.note(name, v.Why)
	return true
}

// restoresRanAfter names the restores owned by st that brought data back
// in this rebuild after st was last applied (or before it ever was): st
// must be applied after them.
func (a *applier) restoresRanAfter(st *config.Stack) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	stack := a.ckpt.Lookup("stack." + st.Name)
	var out []string
	for _, r := range a.cfg.Restores {
		rec := a.ckpt.Lookup("restore." + r.Name)
		if r.Stack != st.Name || !restoredInRebuild(rec) {
			continue
		}
		if stack == nil || stack.FinishedAt == nil || rec.FinishedAt == nil || rec.FinishedAt.After(*stack.FinishedAt) {
			out = append(out, "restore."+r.Name)
		}
	}
	return out
}

// restoredInRebuild: a restore stage brought data back in this rebuild.
func restoredInRebuild(rec *checkpoint.StageRecord) bool {
	if !doneThisRebuild(rec) || rec.Restore == nil {
		return false
	}
	o := rec.Restore.Result.Outcome
	return o == restore.Restored || o == restore.Resumed
}
