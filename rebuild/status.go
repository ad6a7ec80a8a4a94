package rebuild

import (
	"context"
	"time"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/stages"
	"github.com/tfrebuild/tfrebuild/timeline"
)

// StatusOptions steer ReadStatus.
type StatusOptions struct {
	Deps Deps
	// Now is the time the status is read at; time.Now when zero.
	Now time.Time
}

// ReadStatus reads the checkpoint of cfg's target. Without one, every stage
// is pending.
func ReadStatus(ctx context.Context, cfg *config.Config, opts StatusOptions) (*timeline.Status, error) {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	c, live, err := loadCheckpoint(ctx, cfg, opts.Deps.wiredOrErr())
	if err != nil {
		return nil, err
	}
	p, err := stages.Build(cfg, c.With)
	if err != nil {
		return nil, err
	}
	return timeline.Read(cfg, c, p, live, opts.Now), nil
}

// loadCheckpoint reads the checkpoint and the live run lock holder, if
// any, without writing anything; an empty checkpoint when there is none.
func loadCheckpoint(ctx context.Context, cfg *config.Config, deps Deps) (*checkpoint.Checkpoint, *checkpoint.Holder, error) {
	store, err := deps.Store(ctx, cfg, false)
	if err != nil || store == nil {
		return &checkpoint.Checkpoint{}, nil, err
	}
	c, err := store.Load(ctx)
	if err != nil {
		return nil, nil, err
	}
	live, err := store.Locked(ctx)
	if err != nil {
		return nil, nil, err
	}
	if c == nil {
		c = &checkpoint.Checkpoint{}
	}
	return c, live, nil
}
