package terraform

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/terraform-exec/tfexec"
)

// Init runs terraform init for a stack against its backend, once per run.
// It needs no input values, so a rebuild runs it ahead, while the stacks
// upstream are still being applied.
func (r *Runner) Init(ctx context.Context, s Stack) error {
	h, err := r.handle(s)
	if err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.stack = s
	return r.init(ctx, h)
}

func (r *Runner) init(ctx context.Context, h *handle) error {
	if h.inited {
		return nil
	}
	if err := r.prepare(ctx, h); err != nil {
		return err
	}
	r.initMu.Lock()
	defer r.initMu.Unlock()
	h.mark("init")
	opts := r.initOptions(h)
	err := h.tf.Init(ctx, opts...)
	if err != nil && ctx.Err() == nil {
		// The data dir is tfrebuild's own and disposable. A run killed in
		// the middle of an init can leave it half-written, which makes every
		// later init fail: start it afresh once (providers come from the
		// plugin cache).
		fmt.Fprintf(h.log, "\n%sinit failed; retrying once with a fresh data dir %s\n", logMarker, h.wd.DataDir())
		if rmErr := os.RemoveAll(h.wd.DataDir()); rmErr == nil {
			h.mark("init")
			err = h.tf.Init(ctx, opts...)
		}
	}
	if err != nil {
		e := r.fail(h, "init", err)
		// Terraform's read-only refusal does not name the provider; a
		// checksum mismatch does, and needs no hint.
		var se *StackError
		if errors.As(e, &se) && h.committedLock != "" {
			if m := lockMismatches(h.stack.SourceDir, h.committedLock); len(m) > 0 {
				se.Hint = fmt.Sprintf("stack %s: its committed lock file is honoured read-only (init -lockfile=readonly): %s. "+
					"Update the lock file in the source (%s init -upgrade there) and commit it", h.stack.Name, strings.Join(m, "; "), r.Binary.Program())
			}
		}
		return e
	}
	h.inited = true
	h.keepGeneratedLock()
	return nil
}

// initOptions builds init's arguments. terraform-exec has no option for
// -lockfile=readonly, and refuses TF_CLI_ARGS_init in the environment; its
// Dir option appends one last argument verbatim, and Terraform and OpenTofu
// both parse a trailing flag as a flag. TestLockFiles pins this.
func (r *Runner) initOptions(h *handle) []tfexec.InitOption {
	var opts []tfexec.InitOption
	if !h.wrapped {
		opts = append(opts, tfexec.BackendConfig(h.wd.BackendFile()), tfexec.Reconfigure(true))
	}
	if h.committedLock != "" {
		opts = append(opts, tfexec.Dir("-lockfile=readonly"))
	}
	return opts
}

// ready takes the stack's handle for one command sequence: initialised,
// with the var file written. Call done when the sequence ends: it removes
// the var file and the plan, which hold input values in clear.
func (r *Runner) ready(ctx context.Context, s Stack) (*handle, func(), error) {
	h, err := r.handle(s)
	if err != nil {
		return nil, nil, err
	}
	h.mu.Lock()
	h.stack = s
	done := func() {
		_ = os.Remove(h.wd.VarFile())
		_ = os.Remove(h.wd.PlanFile())
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
// plans to a saved file, applies that file when it has changes, and reads
// the outputs.
func (r *Runner) Apply(ctx context.Context, s Stack) (*Result, error) {
	h, done, err := r.ready(ctx, s)
	if err != nil {
		return nil, err
	}
	defer done()
	changed, err := r.planAndApply(ctx, h, false)
	if err != nil {
		return nil, err
	}
	if err := r.prepare(ctx, h); err != nil {
		return nil, err
	}
	outs, err := r.outputs(ctx, h, s)
	if err != nil {
		return nil, err
	}
	return &Result{Changed: changed, Outputs: outs, Notes: h.notes(s)}, nil
}

// keepGeneratedLock keeps the lock file Terraform generated for a stack
// that has none in the work folder, so that later runs select the same
// provider versions. It is never written to the source.
func (h *handle) keepGeneratedLock() {
	if h.committedLock != "" {
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
func (h *handle) notes(s Stack) []string {
	if h.committedLock != "" {
		return nil
	}
	if _, err := os.Stat(h.wd.LockFile()); err != nil {
		return nil
	}
	return []string{fmt.Sprintf("%s has no %s; the provider versions Terraform selected are kept in %s (copy it into the stack and commit it to pin them)",
		s.SourceDir, LockFileName, h.wd.LockFile())}
}

// planAndApply plans to the saved plan file and applies that file when it
// has changes. A saved plan carries its variables: apply refuses -var-file.
// Both run with -json: the UI stream gives per-resource progress, and its
// human lines and diagnostics go to the log.
func (r *Runner) planAndApply(ctx context.Context, h *handle, destroy bool) (bool, error) {
	verb := map[bool]string{false: "plan", true: "plan -destroy"}[destroy]
	ui := newJSONUI(h.log, h.stack.Name, h.stack.Progress)
	defer h.tf.SetStdout(h.log) // PlanJSON and ApplyJSON replace it
	h.mark(verb)
	opts := []tfexec.PlanOption{tfexec.Out(h.wd.PlanFile()), tfexec.Destroy(destroy), tfexec.LockTimeout(r.lockTimeout())}
	for _, v := range varFiles(h) {
		opts = append(opts, v)
	}
	changed, err := h.tf.PlanJSON(ctx, ui, opts...)
	ui.flush()
	if err != nil {
		return false, r.fail(h, verb, err)
	}
	if !changed {
		return false, nil
	}
	if err := r.prepare(ctx, h); err != nil {
		return false, err
	}
	h.mark("apply")
	err = h.tf.ApplyJSON(ctx, ui, tfexec.DirOrPlan(h.wd.PlanFile()), tfexec.LockTimeout(r.lockTimeout()))
	ui.flush()
	if err != nil {
		return false, r.fail(h, "apply", err)
	}
	return true, nil
}
