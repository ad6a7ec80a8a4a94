package rebuild

import (
	"sync"

	"github.com/tfrebuild/tfrebuild/stages"
	"github.com/tfrebuild/tfrebuild/terraform"
)

// Stacks get ready ahead of their stages, in pipeline order, on one
// goroutine: first what needs no backend (the working copy,
// Runner.Prepare) while the state bucket is checked or created, then
// terraform init once it exists. Init needs no input
// values, so it overlaps the registries and the upstream stacks' applies
// instead of adding to the critical path. Init runs one at a time: the
// plugin cache is not safe for concurrent use. A failure here is not
// reported: the stack's own stage runs init again and reports it.
//
// Stacks the checkpoint has done are left out: a resume usually skips them
// without any Terraform process, and one that must run after all inits in
// its own stage. Their state objects, which decide the skip, are read
// ahead instead (ahead.go).

// ahead is the warm-up of one apply.
type ahead struct {
	once    sync.Once
	backend chan struct{} // closed when the backend exists
}

// warmUp starts getting the run's stacks ready. backendExists says the
// state bucket is known to exist already (a resume whose state stage was
// done): init starts at once, while the state stage checks it again; init
// only reads the bucket, and a stack whose init fails runs it again.
func (a *applier) warmUp(backendExists bool) {
	if a.ahead != nil {
		return
	}
	a.ahead = &ahead{backend: make(chan struct{})}
	if backendExists {
		a.initAhead()
	}
	var list, done []terraform.Stack
	for _, s := range a.pipeline.Stages {
		switch {
		case s.Kind != stages.KindStack || s.Skipped:
		case a.prevDone[s.Name]:
			done = append(done, a.tfStack(a.cfg.Stack(s.Target)))
		default:
			list = append(list, a.tfStack(a.cfg.Stack(s.Target)))
		}
	}
	if backendExists {
		a.readStacksAhead(list, done)
	}
	ctx, ready := a.warmCtx, a.ahead.backend
	a.warm.Add(1)
	go func() {
		defer a.warm.Done()
	prepare:
		for _, ts := range list {
			select {
			case <-ready:
				break prepare
			case <-ctx.Done():
				return
			default:
			}
			_ = a.tf.Prepare(ctx, ts)
		}
		select {
		case <-ready:
		case <-ctx.Done():
			return
		}
		for _, ts := range list {
			if ctx.Err() != nil {
				return
			}
			_ = a.tf.Init(ctx, ts)
		}
	}()
}

func (a *applier) recordedStateVersion(stage string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.ckpt.Stage(stage).StateVersion
}

// initAhead lets the warm-up init the stacks: the backend exists.
func (a *applier) initAhead() {
	if a.ahead == nil {
		a.warmUp(true)
		return
	}
	a.ahead.once.Do(func() { close(a.ahead.backend) })
}
