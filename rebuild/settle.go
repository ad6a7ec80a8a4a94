package rebuild

import (
	"context"
	"path/filepath"

	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/terraform"
)

// idleWaiter is the part of *terraform.Runner that waits until no
// Terraform process of a dead run works on a stack any more.
type idleWaiter interface {
	WaitIdle(ctx context.Context, stack string) error
}

// waitIdle waits until a Terraform that was stopping when the previous run
// died (it saves the state of what it created) has ended, before this run
// releases that run's state lock on the stack. Fakes have nothing to wait
// for.
func (c *core) waitIdle(ctx context.Context, stack string) error {
	tf := c.tf
	if w, ok := tf.(*seam); ok {
		tf = w.tf
	}
	if w, ok := tf.(idleWaiter); ok {
		return w.WaitIdle(ctx, stack)
	}
	return nil
}

// Sweep removes what a killed run left in the work folders that may hold
// secrets: var files, saved plans, state credentials files. Every command
// calls it once its config is loaded; it leaves a live run's files alone
// (terraform.Sweep). It returns how many files it removed.
func Sweep(cfg *config.Config) int {
	n := 0
	for _, dir := range []string{"work", "plan", "output"} {
		n += len(terraform.Sweep(filepath.Join(cfg.StateDir(), dir), stateCredentialsFile))
	}
	return n
}
