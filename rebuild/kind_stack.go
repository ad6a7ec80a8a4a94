package rebuild

import (
	"context"
	"fmt"
	"time"

	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/fingerprint"
	"github.com/tfrebuild/tfrebuild/stages"
	"github.com/tfrebuild/tfrebuild/terraform"
)

// stackKind is one Terraform stack: applied (or skipped as up to date),
// planned, or destroyed.
type stackKind struct{}

func (stackKind) apply(ctx context.Context, a *applier, s *stages.Stage) error {
	return a.stack(ctx, a.cfg.Stack(s.Target))
}

func (stackKind) plan(ctx context.Context, p *planner, s *stages.Stage) error {
	return p.stack(ctx, p.cfg.Stack(s.Target))
}

func (stackKind) destroy(ctx context.Context, d *destroyer, s *stages.Stage) error {
	return d.stack(ctx, d.cfg.Stack(s.Target))
}

// stackState is what the checkpoint knew of a stack when its stage began.
type stackState struct {
	upstream  map[string]map[string]string // upstream stack → output hashes
	prevFP    string
	prevOut   map[string]string
	wasDone   bool
	crashedAt time.Time
	crashed   bool
	// firstAttempt: no earlier attempt of this stack is on record.
	firstAttempt bool
	// stateVersion is the version of the state object recorded when the
	// stack last finished.
	stateVersion string
	// reads are the reads a resume made ahead for this stack (ahead.go).
	reads *stackReads
}

func (a *applier) stackState(st *config.Stack) stackState {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := stackState{upstream: map[string]map[string]string{}}
	for _, d := range a.cfg.StackDeps(st) {
		if ps := a.pipeline.Get("stack." + d); ps != nil && !ps.Skipped {
			s.upstream[d] = a.ckpt.Stage("stack." + d).OutputHashes
		}
	}
	rec := a.ckpt.Stage("stack." + st.Name)
	s.prevFP, s.prevOut, s.wasDone = rec.Fingerprint, rec.OutputHashes, a.prevDone["stack."+st.Name]
	s.firstAttempt = rec.Attempts <= 1 // this attempt is already counted
	s.crashedAt, s.crashed = a.crashed["stack."+st.Name]
	s.stateVersion = rec.StateVersion
	return s
}

func (a *applier) stack(ctx context.Context, st *config.Stack) error {
	name := "stack." + st.Name
	a.clearNotes(name)
	prev := a.stackState(st)
	vars, err := a.inputs(st)
	if err != nil {
		return err
	}
	ts := a.tfStack(st)
	ts.Vars = vars
	fp, err := fingerprint.Stack(a.key, st, vars, prev.upstream, a.engine, ts.Backend.HCL()+a.accountsFingerprint(st))
	if err != nil {
		return err
	}
	prev.reads = a.takeReads(st.Name)
	if prev.crashed {
		if err := a.releaseStaleLock(ctx, ts, prev.crashedAt, prev.reads); err != nil {
			return err
		}
	}
	if err := a.pushErrored(ctx, ts); err != nil {
		return err
	}
	if ts.Imports, err = a.restoreImports(ctx, st, ts, prev.reads); err != nil {
		return err
	}
	if len(ts.Imports) == 0 && a.skip(ctx, st, ts, fp, prev) {
		return nil
	}
	if err := a.stateLost(ctx, ts, prev); err != nil {
		return err
	}
	return a.applyStack(ctx, st, ts, fp, prev)
}

// applyStack runs Terraform for a stack and records what it did.
func (a *applier) applyStack(ctx context.Context, st *config.Stack, ts terraform.Stack, fp string, prev stackState) error {
	name := "stack." + st.Name
	changes := terraform.NewChangeLog()
	ts.Progress = changes.Observe(func(e terraform.ResourceEvent) { a.noteCreating(name, e); a.resourceProgress(name, e) })
	existed, _ := a.existedBefore(ctx, prev.reads, ts.Backend) // unknown: no drift report
	if err := a.adoptAsked(ctx, st, ts); err != nil {
		return err
	}
	started := a.creating(name) // by the attempts before this one
	a.flush()                   // Terraform writes: the stage's running record is saved first
	res, err := a.tf.Apply(ctx, ts)
	if err != nil {
		if damaged := a.stateDamaged(ctx, ts, err); damaged != nil {
			return damaged
		}
		if res, err = a.adoptOrphans(ctx, st, ts, started, err); err != nil {
			return err
		}
	}
	a.mu.Lock()
	a.ckpt.Stage(name).Creating = nil
	a.mu.Unlock()
	outs, err := a.outputsAfter(ctx, ts, res)
	if err != nil {
		return err
	}
	a.setOutputs(st, outs, fp)
	a.recordDrillBuckets(ctx, st, ts, changes)
	for _, n := range res.Notes {
		a.note(name, n)
	}
	for _, im := range ts.Imports {
		a.note(name, fmt.Sprintf("imported table %s into its state as %s", im.ID, im.Address))
	}
	drift := prev.prevFP == fp || (prev.prevFP == "" && prev.firstAttempt)
	if n := changesNote(existed, drift, changes.List()); n != "" {
		a.note(name, n)
	}
	a.mu.Lock()
	a.ckpt.Stage(name).Changes = changeRecords(changes, existed && drift)
	a.mu.Unlock()
	msg := "no changes"
	if res.Changed {
		msg = "applied"
	}
	a.note(name, fmt.Sprintf("%s; %d outputs (state key %s)", msg, len(outs.Values), ts.Backend.Key))
	return nil
}

// setOutputs makes a stack's outputs visible to its dependents and records
// their hashes and the stack's fingerprint in the checkpoint.
func (a *applier) setOutputs(st *config.Stack, outs terraform.Outputs, fp string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.scope.SetOutputs(st.Name, outs.Values)
	a.sensitive[st.Name] = outs.Sensitive
	rec := a.ckpt.Stage("stack." + st.Name)
	rec.OutputHashes = fingerprint.Outputs(a.key, outs.Values)
	rec.Fingerprint = fp
}

// releaseStaleLock handles a state lock left behind by this target's own
// previous run, which died while this stack was running (Terraform dies
// with tfrebuild) or failed it with its own lock left behind. The lock is
// released only when it provably belongs to that run: its ID is one of
// that run's (holdStateLock), its holder that run's user and host, and it
// was taken after that run started (lockedSince); and we hold the run
// lease, so that run is gone. This run's own lock taken with the lease
// is left in place for the stage. Any other lock is reported with who holds it and how to
// release it.
func (a *applier) releaseStaleLock(ctx context.Context, ts terraform.Stack, stageStart time.Time, reads *stackReads) error {
	b := ts.Backend
	info, err := a.lockBefore(ctx, reads, b)
	if err != nil || info == nil || a.ownLockAhead(ts.Name, info) {
		return err
	}
	if a.deadRunsLock(info) && !info.Created.Before(a.lockedSince(stageStart).Add(-time.Second)) {
		return a.releaseDeadRunsLock(ctx, ts, info)
	}
	return fmt.Errorf("the state %s is locked, %s. It is not this target's own crashed run, so tfrebuild leaves it. "+
		"If nobody is running %s on it, release it with:\n  %s\nthen continue with:\n  %s",
		b.Key, info, a.engineTitle(), a.stateCommand(ts.Name, "force-unlock", "-force", info.ID), ApplyCommand(a.cfg.Filename, a.opts.scope()))
}

// lockedSince is the earliest a lock of the crashed attempt of a stage
// that started at stageStart can have been taken: the previous run's
// start, since a stack that runs first takes its lock with the run lease
// (lock_ahead.go), before its stage starts.
func (a *applier) lockedSince(stageStart time.Time) time.Time {
	if p := a.previous; p != nil && !p.Since.IsZero() && p.Since.Before(stageStart) {
		return p.Since
	}
	return stageStart
}

// terraformStack is how every mode runs a stack: its code, backend, the
// user's env and var files and the account's credentials. Modes set the
// rest (Vars, Wrap, Progress; the seam puts the progress on the bus).
func (c *core) terraformStack(st *config.Stack) terraform.Stack {
	ts := terraform.Stack{
		Name: st.Name, SourceDir: st.SourceDir, Backend: c.backend(st),
		Env: st.Env, VarFiles: st.VarFiles, Credentials: c.stackCredentials(st),
	}
	if st.Files != nil {
		ts.Files, ts.Modules = st.Files.Files, st.Files.Modules
	}
	return ts
}

// engineLabel names the engine a run found and its version, as notes and
// reports show it: "terraform 1.11.4", "opentofu 1.12.6".
func engineLabel(cfg *config.Config, bin *terraform.Binary) string {
	name := bin.Engine
	if name == "" {
		name = cfg.Terraform.EngineName()
	}
	return name + " " + bin.Version
}

// engineTitle is the engine's name in a sentence.
func (c *core) engineTitle() string {
	if c.cfg.Terraform.EngineName() == config.EngineOpenTofu {
		return "OpenTofu"
	}
	return "Terraform"
}
