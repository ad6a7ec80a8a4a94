package rebuild

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/stages"
)

// Every rule of the skip decision, case by case.
func TestDecideSkip(t *testing.T) {
	t.Parallel()
	done := skipInputs{Phase: phaseResume, DoneThisRebuild: true, FingerprintWas: "f1", Fingerprint: "f1",
		StateRecorded: "version:v1", StateKey: "p/a.tfstate", DirectRead: true}
	with := func(edit func(*skipInputs)) skipInputs { in := done; edit(&in); return in }
	read := func(in skipInputs, s stateSeen) skipInputs { in.State = &s; return in }
	cases := []struct {
		name string
		in   skipInputs
		want skipAction
		why  string // a part of the verdict's reason; "" when none
	}{
		{"new rebuild runs a done, unchanged stack", with(func(in *skipInputs) { in.Phase = phaseNew }), skipRun, "new rebuild"},
		{"new rebuild runs even with the state read and matching", read(with(func(in *skipInputs) { in.Phase = phaseNew }), stateSeen{Version: "version:v1", OutputsMatch: true}), skipRun, "new rebuild"},
		{"plan/destroy (no phase) never skip", with(func(in *skipInputs) { in.Phase = phaseUnknown }), skipRun, ""},
		{"--only runs a done, unchanged stack", with(func(in *skipInputs) { in.Only = true }), skipRun, "--only"},
		{"a restore that ran after the stack makes it run", with(func(in *skipInputs) { in.RestoredNow = []string{"restore.orders"} }), skipRun, "restore.orders"},
		{"resume: not done in this rebuild runs", with(func(in *skipInputs) { in.DoneThisRebuild = false }), skipRun, ""},
		{"resume: fingerprint changed runs", with(func(in *skipInputs) { in.Fingerprint = "f2" }), skipRun, ""},
		{"resume: no fingerprint recorded runs", with(func(in *skipInputs) { in.FingerprintWas = "" }), skipRun, ""},
		{"resume: done and unchanged reads the state object first", done, skipReadState, ""},
		{"resume: state unchanged, outputs match: skipped without Terraform", read(done, stateSeen{Version: "version:v1", OutputsMatch: true}), skipDone, "without running Terraform"},
		{"resume: state version changed runs", read(done, stateSeen{Version: "version:v2", OutputsMatch: true}), skipRunAfterChange, "its state p/a.tfstate changed since it was applied (version:v2, was version:v1)"},
		{"resume: state object gone runs", read(done, stateSeen{}), skipRunAfterChange, "(no object, was version:v1)"},
		{"resume: state unreadable runs", read(done, stateSeen{Err: errors.New("denied")}), skipRunAfterChange, "could not read its state object (denied)"},
		{"resume: outputs differ runs", read(done, stateSeen{Version: "version:v1"}), skipRunAfterChange, "outputs in the state differ"},
		{"resume: no version recorded reads outputs through Terraform", with(func(in *skipInputs) { in.StateRecorded = "" }), skipReadOutputs, ""},
		{"resume: no direct read reads outputs through Terraform", with(func(in *skipInputs) { in.DirectRead = false }), skipReadOutputs, ""},
		{"resume: outputs through Terraform match: skipped", read(with(func(in *skipInputs) { in.DirectRead = false }), stateSeen{OutputsMatch: true}), skipDone, "up to date"},
		{"resume: outputs through Terraform differ runs", read(with(func(in *skipInputs) { in.DirectRead = false }), stateSeen{}), skipRunAfterChange, "differ"},
		{"resume: outputs through Terraform unreadable runs", read(with(func(in *skipInputs) { in.StateRecorded = "" }), stateSeen{Err: errors.New("x")}), skipRunAfterChange, "differ"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			v := decideSkip(c.in)
			if v.Action != c.want || !strings.Contains(v.Why, c.why) {
				t.Errorf("decideSkip = %+v, want action %d with %q", v, c.want, c.why)
			}
			if v.Run() != (c.want == skipRun || c.want == skipRunAfterChange) {
				t.Errorf("Run() = %v for %d", v.Run(), v.Action)
			}
		})
	}
}

// The phase: no rebuild on record, one ended by destroy or a complete one
// start a new rebuild; an unfinished one is resumed.
func TestPhaseOf(t *testing.T) {
	t.Parallel()
	p := &stages.Pipeline{Stages: []*stages.Stage{{Name: "preflight"}, {Name: "stack.a"}, {Name: "stack.b"}, {Name: "stack.c", Skipped: true}}}
	ck := func(started bool, b stages.Status) *checkpoint.Checkpoint {
		c := checkpoint.New("p", "1", "r")
		if started {
			c.StartedAt = time.Now()
		}
		c.Stage("preflight").Status, c.Stage("stack.a").Status, c.Stage("stack.b").Status = stages.Done, stages.Done, b
		return c
	}
	cases := []struct {
		name string
		c    *checkpoint.Checkpoint
		want rebuildPhase
	}{
		{"fresh checkout", checkpoint.New("p", "1", "r"), phaseNew},
		{"after destroy (clock stopped)", ck(false, stages.Done), phaseNew},
		{"after a complete rebuild", ck(true, stages.Done), phaseNew},
		{"a stack failed", ck(true, stages.Failed), phaseResume},
		{"a stack interrupted", ck(true, stages.Interrupted), phaseResume},
		{"a stack not reached", ck(true, stages.Pending), phaseResume},
	}
	for _, c := range cases {
		if got := phaseOf(c.c, p); got != c.want {
			t.Errorf("%s: phase %d, want %d", c.name, got, c.want)
		}
	}
}

// Done in this rebuild: done, with an attempt since the rebuild began
// (a new rebuild forgets the attempts of the last one).
func TestDoneThisRebuild(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rec  *checkpoint.StageRecord
		want bool
	}{
		{nil, false},
		{&checkpoint.StageRecord{Status: stages.Done}, false},
		{&checkpoint.StageRecord{Status: stages.Done, Attempts: 1}, true},
		{&checkpoint.StageRecord{Status: stages.Done, History: []checkpoint.Attempt{{}}}, true},
		{&checkpoint.StageRecord{Status: stages.Failed, Attempts: 2}, false},
	}
	for i, c := range cases {
		if got := doneThisRebuild(c.rec); got != c.want {
			t.Errorf("case %d: %v, want %v", i, got, c.want)
		}
	}
}

// leaveUnfinished makes the saved checkpoint a rebuild in progress (its
// preflight failed), so that the next apply resumes it.
func leaveUnfinished(t *testing.T, w *world) {
	t.Helper()
	c := w.checkpoint()
	c.Stage("preflight").Status = stages.Failed
	if err := w.store.Save(context.Background(), c); err != nil {
		t.Fatal(err)
	}
}

// After a complete rebuild, the next apply is a new rebuild: every stack
// runs through Terraform (which re-creates what was deleted meanwhile),
// and the bootstrap converges again; its first line says so.
func TestNewRebuildRunsEveryStack(t *testing.T) {
	t.Parallel()
	w, bc, ptf := appliedStateWorld(t)
	if err := applyWith(t, w, bc, ptf); err != nil {
		t.Fatal(err)
	}
	got := ptf.processes()
	if !slices.Contains(got, "apply base") || !slices.Contains(got, "apply app") {
		t.Errorf("a new rebuild after a complete one: Terraform calls %v, want every stack applied", got)
	}
	calls := w.cloud.callsOf("EnsureBucket")
	if n := len(calls); n == 0 || !calls[n-1].Converge || calls[n-1].DriftLater {
		t.Errorf("a new rebuild's state stage: %+v, want it converged", calls)
	}
	if !startedWith(w, "new rebuild: every stack is checked against the cloud") {
		t.Errorf("run_started does not say it is a new rebuild")
	}
	// A resume of it skips them again.
	leaveUnfinished(t, w)
	if err := applyWith(t, w, bc, ptf); err != nil {
		t.Fatal(err)
	}
	if got := ptf.processes(); len(got) != 0 {
		t.Errorf("a resume called Terraform: %v", got)
	}
	if !startedWith(w, "resuming the rebuild started at ") {
		t.Errorf("run_started does not say it resumes")
	}
}

// --only names a stack: it runs through Terraform even in a resume where
// it is done and unchanged.
func TestOnlyAlwaysRuns(t *testing.T) {
	t.Parallel()
	w, bc, ptf := appliedStateWorld(t)
	leaveUnfinished(t, w)
	only := func(o *ApplyOptions) { o.Only, o.ChangeScope = []string{"base"}, true }
	if err := applyWithOpts(t, w, bc, ptf, only); err != nil {
		t.Fatal(err)
	}
	if got := ptf.processes(); !slices.Contains(got, "apply base") {
		t.Errorf("--only base: Terraform calls %v, want base applied", got)
	}
}

func startedWith(w *world, prefix string) bool {
	var last string
	for _, e := range w.sink.of("run_started") {
		last = e.Message
	}
	return strings.HasPrefix(last, prefix)
}

// A resume in which a table restore runs again (its table is gone)
// applies the stack that owns it afterwards, though the stack is done in
// this rebuild and unchanged: the restore does not bring back point-in-time
// recovery, TTL or tags.
func TestAStackRunsAfterItsRestore(t *testing.T) {
	t.Parallel()
	w := newRestoreWorld(t)
	if _, err := w.apply(); err != nil {
		t.Fatal(err)
	}
	leaveUnfinished(t, w.world)
	w.rs.gone = map[string]bool{"orders": true}
	before := len(w.tf.appliedList())
	if _, err := w.apply(); err != nil {
		t.Fatal(err)
	}
	if got := w.tf.appliedList()[before:]; !slices.Contains(got, "shared") {
		t.Errorf("after its table was restored again: applied %v, want shared", got)
	}
	if notes := w.checkpoint().Stages["stack.shared"].Notes; !hasNote(notes, "owns restore restore.orders") {
		t.Errorf("stack.shared's notes do not say why it ran: %q", notes)
	}
}
