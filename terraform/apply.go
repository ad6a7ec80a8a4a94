package terraform

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Init runs terraform init for a stack against its backend, once per run.
// It needs no input values, so a rebuild runs it ahead, while the stacks
// upstream are still being applied.
func (r *Runner) Init(ctx context.Context, s Stack) error {
	h, err := r.take(s)
	if err != nil {
		return err
	}
	defer h.mu.Unlock()
	return r.init(ctx, h)
}

func (r *Runner) init(ctx context.Context, h *handle) error {
	if h.inited {
		return nil
	}
	if err := r.prepare(ctx, h); err != nil {
		return err
	}
	args := r.initArgs(h)
	if key, err := r.initKey(h, args); err == nil && h.initedFor(key) {
		h.inited, h.initSkipped = true, true
		return nil
	}
	h.forgetInit()
	defer r.initSlot(h)()
	err := h.timed("init", func() error { return r.run(ctx, h, h.log, args) })
	if err != nil && ctx.Err() == nil {
		// The data dir is tfrebuild's own and disposable. A run killed in
		// the middle of an init can leave it half-written, which makes every
		// later init fail: start it afresh once (providers come from the
		// plugin cache).
		fmt.Fprintf(h.log, "\n%sinit failed; retrying once with a fresh data dir %s\n", logMarker, h.wd.DataDir())
		if rmErr := os.RemoveAll(h.wd.DataDir()); rmErr == nil {
			err = h.timed("init", func() error { return r.run(ctx, h, h.log, args) })
		}
	}
	if err != nil {
		e := r.fail(h, "init", err)
		// Terraform's read-only refusal does not name the provider; a
		// checksum mismatch does, and needs no hint.
		var se *StackError
		if errors.As(e, &se) && h.committedLock != "" {
			if m := lockMismatches(h.stack, h.committedLock); len(m) > 0 {
				se.Hint = fmt.Sprintf("stack %s: its committed lock file is honoured read-only (init -lockfile=readonly): %s. "+
					"Update the lock file in the source (%s init -upgrade there) and commit it", h.stack.Name, strings.Join(m, "; "), r.Binary.Program())
			}
		}
		return e
	}
	h.inited = true
	h.keepGeneratedLock()
	if key, err := r.initKey(h, args); err == nil {
		h.rememberInit(key)
	}
	return nil
}

// initArgs are the stack's init arguments (see initOptions).
func (r *Runner) initArgs(h *handle) []string {
	o := initOptions{Lockfile: lockfileWritable}
	if !h.wrapped {
		o.BackendConfig = h.wd.BackendFile()
	}
	if h.committedLock != "" && !h.rehosted {
		o.Lockfile = lockfileReadonly
	}
	return o.args()
}

// ready takes the stack's handle for one command sequence: initialised,
// with the var file written. Call done when the sequence ends: it removes
// the var file and the plan, which hold input values in clear.
func (r *Runner) ready(ctx context.Context, s Stack) (*handle, func(), error) {
	h, err := r.take(s)
	if err != nil {
		return nil, nil, err
	}
	done := func() {
		_ = os.Remove(h.wd.VarFile())
		_ = os.Remove(h.wd.PlanFile())
		if h.dir != "" {
			_ = os.Remove(filepath.Join(h.dir, ImportFileName)) // one apply's imports, never another command's
		}
		h.mu.Unlock()
	}
	fail := func(err error) (*handle, func(), error) { done(); return nil, nil, err }
	if err := r.init(ctx, h); err != nil {
		return fail(err)
	}
	vars, err := varFile(s.Vars)
	if err != nil {
		return fail(err)
	}
	if err := writeFile(h.wd.VarFile(), vars); err != nil {
		return fail(err)
	}
	if err := r.prepare(ctx, h); err != nil {
		return fail(err)
	}
	return h, done, nil
}

// Apply initialises the stack against its backend (unless done already),
// and plans and applies in one process (applyOnce). It starts no process
// for the outputs: the Result has them when the apply printed them all;
// else a caller with access to the state bucket reads them from the state
// object (package tfstate), others call Outputs.
func (r *Runner) Apply(ctx context.Context, s Stack) (*Result, error) {
	h, done, err := r.ready(ctx, s)
	if err != nil {
		return nil, err
	}
	defer done()
	if err := r.placeImports(ctx, h); err != nil {
		return nil, err
	}
	changed, outs, err := r.applyOnce(ctx, h)
	if err != nil {
		return nil, err
	}
	notes := h.notes(s, engineTitle(r.Binary.Engine))
	if h.initSkipped {
		notes = append(notes, "init skipped: an earlier run initialised its data dir for the same configuration, backend, lock file and engine")
	}
	if t := timingNote(r.Binary.Program(), h.timings); t != "" {
		notes = append(notes, t)
	}
	return &Result{Changed: changed, Notes: notes, Timings: h.takeTimings(), Outputs: outs}, nil
}

// Prepare gets a stack ready for its first command without touching its
// backend: its work folder and working copy. A rebuild runs it for every
// stack while the state bucket is still being checked or created, so that
// init ahead starts with init itself.
func (r *Runner) Prepare(ctx context.Context, s Stack) error {
	r.warmSpare() // its first command's supervisor, started ahead
	// No credentials are fetched here (they may write a credentials file
	// that only the stack's commands clean up).
	s.Credentials = nil
	h, err := r.take(s)
	if err != nil {
		return err
	}
	defer h.mu.Unlock()
	return r.prepare(ctx, h)
}

// keepGeneratedLock keeps the lock file Terraform generated for a stack
// that has none in the work folder, so that later runs select the same
// provider versions. It is never written to the source.
func (h *handle) keepGeneratedLock() {
	if h.committedLock != "" && !h.rehosted {
		return
	}
	gen, err := os.ReadFile(filepath.Join(h.dir, LockFileName))
	if err != nil {
		return
	}
	if kept, _ := os.ReadFile(h.wd.LockFile()); string(kept) != string(gen) {
		_ = writeFile(h.wd.LockFile(), gen)
	}
}

// notes tells about a lock file kept in the work folder.
func (h *handle) notes(s Stack, engine string) []string {
	if h.rehosted {
		return []string{fmt.Sprintf("%s names its providers under %s (Terraform wrote it); %s installed the versions it pins and recorded its own checksums in %s, which later runs honour read-only",
			filepath.Join(s.SourceDir, LockFileName), strings.TrimSuffix(terraformRegistry, "/"), engine, h.wd.LockFile())}
	}
	if h.committedLock != "" {
		return nil
	}
	if _, err := os.Stat(h.wd.LockFile()); err != nil {
		return nil
	}
	return []string{fmt.Sprintf("%s has no %s; the lock file with the provider versions %s selected is kept in %s. Pin them: %s, and commit it",
		s.SourceDir, LockFileName, engine, h.wd.LockFile(), "cp "+shellQuote(h.wd.LockFile())+" "+shellQuote(filepath.Join(s.SourceDir, LockFileName)))}
}

// applyOnce plans and applies in one process, `apply -auto-approve -json
// -var-file=…`, as a script would: it applies exactly the plan it has just
// computed, and costs one Terraform start, one state read and one lock
// instead of two. The stream's planned_change messages and plan summary
// still say what changed. It reports whether the plan had changes, and
// the outputs the apply printed when they are all there (none
// sensitive).
func (r *Runner) applyOnce(ctx context.Context, h *handle) (bool, *Outputs, error) {
	ui := newJSONUI(h.log, h.stack.Name, h.stack.Progress)
	args := applyOptions{LockTimeout: r.lockTimeout(), VarFiles: varFiles(h), Locking: h.locking()}.args()
	err := r.command(ctx, h, "apply", ui, args)
	ui.flush()
	if err != nil {
		return false, nil, r.fail(h, "apply", err)
	}
	outs, _ := ui.appliedOutputs() // unreadable: the caller reads the state
	return ui.planChanges(), outs, nil
}

// planAndApply plans to the saved plan file and applies that file when it
// has changes (Destroy: the plan is reported before it is applied). A
// saved plan carries its variables: apply takes no -var-file. Both run
// with -json: the UI stream gives per-resource progress, and its human
// lines and diagnostics go to the log.
func (r *Runner) planAndApply(ctx context.Context, h *handle, mode planMode) (bool, error) {
	verb := map[planMode]string{planChanges: "plan", planDestroy: "plan -destroy"}[mode]
	ui := newJSONUI(h.log, h.stack.Name, h.stack.Progress)
	args := planOptions{LockTimeout: r.lockTimeout(), VarFiles: varFiles(h), Out: h.wd.PlanFile(), Mode: mode, Locking: h.locking()}.args()
	err := r.command(ctx, h, verb, ui, args)
	ui.flush()
	changed := errors.Is(err, errChanges)
	if changed {
		err = nil
	}
	if err != nil {
		return false, r.fail(h, verb, err)
	}
	if !changed {
		return false, nil
	}
	if err := r.prepare(ctx, h); err != nil {
		return false, err
	}
	args = applyOptions{LockTimeout: r.lockTimeout(), SavedPlan: h.wd.PlanFile(), Locking: h.locking()}.args()
	err = r.command(ctx, h, "apply", ui, args)
	ui.flush()
	if err != nil {
		return false, r.fail(h, "apply", err)
	}
	return true, nil
}

// locking is a write command's state locking: none of its own when the
// caller holds the state lock for it (Stack.StateLocked).
func (h *handle) locking() stateLocking {
	if h.stack.StateLocked {
		return noStateLock
	}
	return lockState
}
