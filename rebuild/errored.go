package rebuild

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tfrebuild/tfrebuild/terraform"
)

// A state the engine could not save (errored.tfstate, kept in the stack's
// work folder) is never ignored: before the stack runs again it is pushed
// back when the engine's own rules allow it (same lineage, serial not older
// than the stored state's, or no stored state), and the run stops with the
// exact command otherwise. Running without it would plan against a state
// that lacks what the failed run created.

// erroredStates is the part of *terraform.Runner that keeps and pushes
// errored states.
type erroredStates interface {
	Errored(stack string) []string
	PushState(ctx context.Context, s terraform.Stack, file string) error
}

// PushState pushes a state back under this run's state lock.
func (w *seam) PushState(ctx context.Context, s terraform.Stack, file string) error {
	p, ok := w.tf.(erroredStates)
	if !ok {
		return fmt.Errorf("stack %s: this engine runner cannot push a state", s.Name)
	}
	defer w.enter(s.Name)()
	if err := w.c.verifyLease(ctx); err != nil {
		return err
	}
	release, err := w.c.holdStateLock(ctx, s)
	if err != nil {
		return err
	}
	defer release()
	s.StateLocked = true
	return p.PushState(ctx, s, file)
}

// pushErrored pushes back the newest errored state of the stack, or stops.
func (a *applier) pushErrored(ctx context.Context, ts terraform.Stack) error {
	inner := a.tf
	if w, ok := inner.(*seam); ok {
		inner = w.tf
	}
	es, ok := inner.(erroredStates)
	if !ok {
		return nil
	}
	files := es.Errored(ts.Name)
	if len(files) == 0 {
		return nil
	}
	file := files[len(files)-1]
	text, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("stack %s: read the state its engine could not save: %w", ts.Name, err)
	}
	local, err := terraform.ReadStateHeader(text)
	if err != nil {
		return fmt.Errorf("stack %s: %s: %w", ts.Name, file, err)
	}
	remote, err := a.readObject(ctx, ts.Backend)
	if err != nil {
		return err
	}
	stored, err := terraform.ReadStateHeader(remote.Body)
	if err != nil {
		return fmt.Errorf("stack %s: its stored state %s: %w", ts.Name, ts.Backend.Key, err)
	}
	if terraform.PushedAlready(local, stored) {
		removeAll(files)
		a.note("stack."+ts.Name, "the state "+a.engineTitle()+" could not save is in the backend already (pushed back by hand): "+filepath.Base(file)+" removed")
		return nil
	}
	if why := terraform.PushRefusal(local, stored); why != "" {
		return fmt.Errorf("stack %s: %s could not save its state in an earlier run and kept it in %s; it is not pushed back automatically: %s. "+
			"Compare the two, then push it back yourself (add -force to override the stored state) or move the file away, and run apply again:\n  %s",
			ts.Name, a.engineTitle(), file, why, a.stateCommand(ts.Name, "state", "push", file))
	}
	a.flush()
	if err := a.tf.(interface {
		PushState(context.Context, terraform.Stack, string) error
	}).PushState(ctx, ts, file); err != nil {
		return fmt.Errorf("stack %s: push back the state its engine could not save (%s): %w", ts.Name, file, err)
	}
	removeAll(files) // older ones are superseded by the one pushed
	a.note("stack."+ts.Name, fmt.Sprintf("pushed back the state %s could not save in an earlier run (%s, serial %d, lineage %s)",
		a.engineTitle(), filepath.Base(file), local.Serial, local.Lineage))
	return nil
}

func removeAll(files []string) {
	for _, f := range files {
		_ = os.Remove(f)
	}
}
