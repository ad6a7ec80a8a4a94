package rebuild

import "context"

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
