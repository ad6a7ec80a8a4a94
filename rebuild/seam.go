package rebuild

import (
	"context"
	"os"
	"path/filepath"
	"sync"

	"github.com/tfrebuild/tfrebuild/terraform"
)

var _ Terraform = (*terraform.Runner)(nil)

// seam is the one wrapper around the Terraform every mode uses, and the
// one place the engine adds to what Terraform does:
//
//   - the run lease: every command that writes a state verifies it first,
//     so that a run that lost it stops before its next write;
//   - state locks: every command that writes a state runs under a state
//     lock the run takes itself, under an ID of its own (statelock.go),
//     released by that ID when the command ends;
//   - the run's record: which stacks an attempt really applied (an
//     attempt that ran no apply found the stack up to date), and each
//     resource's progress as resource_progress events;
//   - secrets: every sensitive output value the run reads goes to the
//     event bus, so that no event, notification or summary can carry one
//     even by mistake;
//   - state credentials files: a stack's file (written before each of its
//     commands by stackCredentials) is removed as soon as no call for the
//     stack is under way. Calls for one stack may overlap (init ahead and
//     the stack's own stage), hence the count: removing the file under a
//     running command would pull the credentials from under its backend.
type seam struct {
	tf   Terraform
	c    *core
	mu   sync.Mutex
	busy map[string]int
}

// newSeam wraps tf for c, first removing any state credentials file a
// killed run left in the work folders.
func newSeam(c *core, tf Terraform) *seam {
	if c.cfg != nil {
		left, _ := filepath.Glob(filepath.Join(c.cfg.StateDir(), c.workDir, "*", stateCredentialsFile))
		for _, path := range left {
			_ = os.Remove(path)
		}
	}
	return &seam{tf: tf, c: c, busy: map[string]int{}}
}

// enter counts a call for a stack under way; the function it returns ends
// it, and removes the stack's credentials file when it was the last.
func (w *seam) enter(stack string) func() {
	w.mu.Lock()
	w.busy[stack]++
	w.mu.Unlock()
	return func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		if w.busy[stack]--; w.busy[stack] == 0 {
			_ = os.Remove(filepath.Join(string(w.tf.Workdir(stack)), stateCredentialsFile))
		}
	}
}

// Prepare lays out the working copy and starts no Terraform command: it
// needs no credentials, and it is not counted, so that it never removes a
// file a command of the stack is about to use.
func (w *seam) Prepare(ctx context.Context, s terraform.Stack) error {
	return w.tf.Prepare(ctx, s)
}

func (w *seam) Init(ctx context.Context, s terraform.Stack) error {
	defer w.enter(s.Name)()
	return w.tf.Init(ctx, s)
}

func (w *seam) Apply(ctx context.Context, s terraform.Stack) (*terraform.Result, error) {
	defer w.enter(s.Name)()
	w.c.applying("stack." + s.Name)
	release, err := w.c.lockForWrite(ctx, s)
	if err != nil {
		return nil, err
	}
	// The apply's stage goes on as soon as the engine ends: the lock
	// is released behind it (lockReleases).
	defer w.c.releases.behind(s.Name, release)
	s.StateLocked = true
	return w.tf.Apply(ctx, w.progress(s))
}

func (w *seam) Plan(ctx context.Context, s terraform.Stack) (*terraform.PlanResult, error) {
	defer w.enter(s.Name)()
	res, err := w.tf.Plan(ctx, s)
	if res != nil {
		w.c.secrets(res.Outputs, res.Sensitive)
	}
	return res, err
}

func (w *seam) Destroy(ctx context.Context, s terraform.Stack) (bool, error) {
	defer w.enter(s.Name)()
	release, err := w.c.lockForWrite(ctx, s)
	if err != nil {
		return false, err
	}
	defer release()
	s.StateLocked = true
	return w.tf.Destroy(ctx, w.progress(s))
}

func (w *seam) Import(ctx context.Context, s terraform.Stack, address, id string) error {
	defer w.enter(s.Name)()
	release, err := w.c.lockForWrite(ctx, s)
	if err != nil {
		return err
	}
	defer release()
	s.StateLocked = true
	return w.tf.Import(ctx, s, address, id)
}

func (w *seam) Workdir(stack string) terraform.Workdir { return w.tf.Workdir(stack) }

func (w *seam) Command(stack string, args ...string) string { return w.tf.Command(stack, args...) }

func (w *seam) Close() error { return w.tf.Close() }

// progress makes Terraform's per-resource progress of a stack
// resource_progress events, unless the caller already listens to it.
func (w *seam) progress(s terraform.Stack) terraform.Stack {
	if s.Progress == nil {
		stage := "stack." + s.Name
		s.Progress = func(e terraform.ResourceEvent) { w.c.resourceProgress(stage, e) }
	}
	return s
}
