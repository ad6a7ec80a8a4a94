package rebuild

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/config"
)

// stickyStore is a real file store whose run lock cannot be released.
type stickyStore struct{ checkpoint.Store }

type stickyLock struct{ checkpoint.RunLock }

func (s stickyStore) Lock(ctx context.Context, me checkpoint.Holder) (checkpoint.RunLock, *checkpoint.Holder, error) {
	l, prev, err := s.Store.Lock(ctx, me)
	if err != nil {
		return nil, nil, err
	}
	return stickyLock{l}, prev, nil
}

func (l stickyLock) Release(ctx context.Context) error {
	_ = l.RunLock.Release(ctx)
	return errors.New("the lock table refused the delete")
}

// A run lock that cannot be released is reported, not dropped: the next
// run would find it held until its heartbeat expires.
func TestARunLockThatCannotBeReleasedIsReported(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	opts := ApplyOptions{Common: w.common()}
	opts.Deps.Store = func(context.Context, *config.Config, bool) (checkpoint.Store, error) {
		return stickyStore{w.store}, nil
	}
	_, err := Apply(context.Background(), w.cfg, opts)
	if err == nil || !strings.Contains(err.Error(), "the lock table refused the delete") {
		t.Errorf("apply: %v", err)
	}
	dopts := DestroyOptions{Common: w.common()}
	dopts.Deps.Store = opts.Deps.Store
	if _, err := Destroy(context.Background(), w.cfg, dopts); err == nil || !strings.Contains(err.Error(), "the lock table refused the delete") {
		t.Errorf("destroy: %v", err)
	}
}
