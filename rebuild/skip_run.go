package rebuild

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/fingerprint"
	"github.com/tfrebuild/tfrebuild/restore"
	"github.com/tfrebuild/tfrebuild/stages"
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
			in.State.OutputsMatch = err == nil && maps.Equal(fingerprint.Outputs(a.key, outs.Values), prev.prevOut)
		}
		v = decideSkip(in)
	case skipReadOutputs:
		var err error
		outs, _, err = a.stackOutputs(ctx, ts)
		in.State = &stateSeen{Err: err, OutputsMatch: err == nil && maps.Equal(fingerprint.Outputs(a.key, outs.Values), prev.prevOut)}
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
// after st was last applied (or before it ever was): st must be applied
// after them, to set what a restore does not bring back.
func (a *applier) restoresRanAfter(st *config.Stack) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	stack := a.ckpt.Lookup("stack." + st.Name)
	if before, ok := a.attempts.before["stack."+st.Name]; ok {
		stack = &before // the record as this attempt found it (record.go)
	}
	var out []string
	for _, r := range a.cfg.Restores {
		if r.Stack != st.Name || !r.BeforeStack() {
			continue
		}
		at, ok := restoredAt(a.ckpt.Lookup("restore." + r.Name))
		if ok && (stack == nil || stack.FinishedAt == nil || at.After(*stack.FinishedAt)) {
			out = append(out, "restore."+r.Name)
		}
	}
	return out
}

// restoredAt is when a done restore stage brought data back; ok is false
// when it brought none (accepted, unchanged) or is not done.
func restoredAt(rec *checkpoint.StageRecord) (time.Time, bool) {
	if rec == nil || rec.Status != stages.Done || rec.Restore == nil {
		return time.Time{}, false
	}
	res := rec.Restore.Result
	return res.RestoredAt, res.Outcome == restore.Restored || res.Outcome == restore.Resumed
}
