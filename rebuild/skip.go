package rebuild

import (
	"fmt"
	"time"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/stages"
)

// The skip decision: may a stack's stage end without running Terraform?
// Every rule lives here, as one pure function over what the caller knows,
// so that each is tested case by case (skip_test.go) and nowhere else
// decides. The rules:
//
//  1. A new rebuild (the first apply after a complete one, after destroy,
//     or on a fresh checkout) runs every stack in scope through Terraform:
//     the checkpoint says what tfrebuild did, not what the cloud holds
//     now, and only Terraform's refresh finds what was deleted since.
//  2. A stack named by --only always runs.
//  3. A stack that owns a restore that ran in this rebuild always runs
//     after it: a restore does not bring back point-in-time recovery, TTL,
//     streams or tags; the stack's apply sets them again.
//  4. In a resume, a stack not done in this rebuild, or whose fingerprint
//     (code, inputs, upstream outputs, engine, backend) changed, runs.
//  5. Otherwise its state decides: the object read directly must still be
//     the version recorded when the stack finished and hold the outputs
//     recorded then; without a recorded version or a direct read, the
//     outputs Terraform reads must be the recorded ones.

// rebuildPhase says whether this apply starts a rebuild or continues one.
type rebuildPhase int

const (
	phaseUnknown rebuildPhase = iota // plan and destroy: no rebuild begins
	phaseNew                         // every stack is checked against the cloud
	phaseResume                      // stacks done in this rebuild may be skipped
)

// phaseOf: a checkpoint that holds no rebuild (none yet, or ended by
// destroy) or a complete one starts a new rebuild; any other resumes.
func phaseOf(ck *checkpoint.Checkpoint, p *stages.Pipeline) rebuildPhase {
	if ck.StartedAt.IsZero() || ck.Complete(p) {
		return phaseNew
	}
	return phaseResume
}

// phaseLine is what the run's first line says of its phase (apply only).
func (c *core) phaseLine() string {
	switch c.phase {
	case phaseUnknown:
		return ""
	case phaseResume:
		return "resuming the rebuild started at " + c.ckpt.StartedAt.Format(time.RFC3339) + ": stacks done in it with unchanged inputs and state are skipped"
	}
	return "new rebuild: every stack is checked against the cloud"
}

// doneThisRebuild: the stage finished in an earlier run of this rebuild
// (a new rebuild forgets the attempts of the last one; the status stays).
func doneThisRebuild(rec *checkpoint.StageRecord) bool {
	return rec != nil && rec.Status == stages.Done && (rec.Attempts > 0 || len(rec.History) > 0)
}

// skipInputs is everything the skip decision looks at.
type skipInputs struct {
	Phase rebuildPhase
	// Only: the stack is named by --only.
	Only bool
	// RestoredNow names the restores of the stack that ran in this rebuild.
	RestoredNow []string
	// DoneThisRebuild: the stack finished in an earlier run of this rebuild.
	DoneThisRebuild bool
	// FingerprintWas is the fingerprint recorded then, Fingerprint today's.
	FingerprintWas, Fingerprint string
	// StateRecorded is the state object's version recorded then ("" none);
	// StateKey names the object in what the verdict says.
	StateRecorded, StateKey string
	// DirectRead: the state object can be read without Terraform.
	DirectRead bool
	// State is what a read of the state found; nil before any read.
	State *stateSeen
}

// stateSeen is the result of reading a stack's state (directly, or its
// outputs through Terraform).
type stateSeen struct {
	Err          error
	Version      string // "" when read through Terraform
	OutputsMatch bool   // its outputs hash to the ones recorded
}

// skipAction is what the stage does next.
type skipAction int

const (
	skipRun            skipAction = iota // run Terraform
	skipDone                             // skip: up to date
	skipReadState                        // read the state object, then decide again
	skipReadOutputs                      // read the outputs through Terraform, then decide again
	skipRunAfterChange                   // run Terraform; Why says what changed in the state
)

// skipVerdict is the decision and, for the user, why.
type skipVerdict struct {
	Action skipAction
	Why    string
}

// Run reports whether the stack goes through Terraform.
func (v skipVerdict) Run() bool { return v.Action == skipRun || v.Action == skipRunAfterChange }

// decideSkip applies the rules above. A verdict skipReadState or
// skipReadOutputs asks the caller to read and call again with State set.
func decideSkip(in skipInputs) skipVerdict {
	switch {
	case in.Phase != phaseResume:
		return skipVerdict{skipRun, "new rebuild: checked against the cloud"}
	case in.Only:
		return skipVerdict{skipRun, "named by --only: always run"}
	case len(in.RestoredNow) > 0:
		return skipVerdict{skipRun, fmt.Sprintf("owns restore %s, which ran in this rebuild: applied again to set what a restore does not bring back (point-in-time recovery, TTL, streams, tags)", in.RestoredNow[0])}
	case !in.DoneThisRebuild, in.FingerprintWas != in.Fingerprint:
		return skipVerdict{Action: skipRun}
	}
	direct := in.DirectRead && in.StateRecorded != ""
	if in.State == nil {
		if direct {
			return skipVerdict{Action: skipReadState}
		}
		return skipVerdict{Action: skipReadOutputs}
	}
	s := in.State
	switch {
	case s.Err != nil && direct:
		return skipVerdict{skipRunAfterChange, fmt.Sprintf("could not read its state object (%v); planning again", s.Err)}
	case s.Err != nil:
		return skipVerdict{skipRunAfterChange, "its outputs in the state differ from the checkpoint; planning again"}
	case direct && s.Version != in.StateRecorded:
		return skipVerdict{skipRunAfterChange, fmt.Sprintf("its state %s changed since it was applied (%s, was %s); planning again", in.StateKey, orNone(s.Version), in.StateRecorded)}
	case !s.OutputsMatch:
		return skipVerdict{skipRunAfterChange, "its outputs in the state differ from the checkpoint; planning again"}
	case direct:
		return skipVerdict{skipDone, "up to date: nothing it depends on changed since it was applied in this rebuild, and its state is the version recorded then; skipped without running Terraform"}
	}
	return skipVerdict{skipDone, "up to date: nothing it depends on changed since it was applied in this rebuild; skipped"}
}
