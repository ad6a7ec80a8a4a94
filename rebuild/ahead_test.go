package rebuild

import (
	"errors"
	"testing"
)

// A resume reads, while the state stage runs, whether each stack still to
// run has a state and, for one that failed, its lock: the stack's stage
// then makes neither read itself. Each read ahead serves once.
func TestResumeReadsStacksAhead(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.cfg.Steps, w.cfg.Checks = nil, nil
	w.tf.mu.Lock()
	w.tf.fail["app"] = errors.New("boom")
	w.tf.mu.Unlock()
	if _, err := w.apply(); err == nil {
		t.Fatal("app should fail")
	}
	w.tf.mu.Lock()
	delete(w.tf.fail, "app")
	w.tf.mu.Unlock()
	before := w.cloud.called("StateExists")
	locks := w.cloud.called("StateLock")
	// The registries stage waits until app's state has been asked for: it
	// is, ahead, unless the stage waits for app's own stage.
	w.cloud.callsAfter(t, "EnsureRegistries", "StateExists", "app's state was not asked for ahead of its stage")
	if _, err := w.apply(); err != nil {
		t.Fatal(err)
	}
	if n := w.cloud.called("StateExists") - before; n != 1 {
		t.Errorf("app's state was asked for %d times, want once (ahead)", n)
	}
	if n := w.cloud.called("StateLock") - locks; n != 1 {
		t.Errorf("app's lock was read %d times, want once (ahead)", n)
	}
	a := &applier{core: &core{}}
	if r := a.takeReads("app"); r.exists != nil || r.lock != nil {
		t.Error("no reads ahead outside a resume")
	}
}
