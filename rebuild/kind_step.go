package rebuild

import (
	"context"
	"fmt"
	"time"

	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/stages"
)

// stepKind is a manual step: apply waits at it until a person confirms it
// (tfrebuild confirm), then goes on past it.
type stepKind struct{}

func (stepKind) apply(_ context.Context, a *applier, s *stages.Stage) error {
	a.mu.Lock()
	rec := a.ckpt.Stage(s.Name)
	by, at := rec.ConfirmedBy, rec.ConfirmedAt
	a.mu.Unlock()
	if at != nil {
		a.note(s.Name, fmt.Sprintf("confirmed by %s at %s", by, at.Format(time.RFC3339)))
		return nil
	}
	st := findStep(a.cfg, s.Target)
	a.note(s.Name, "MANUAL STEP: "+st.Instructions+" Then run: "+ConfirmCommand(a.cfg.Filename, s.Target))
	return stages.ErrWaiting
}

func (stepKind) plan(_ context.Context, p *planner, s *stages.Stage) error {
	p.note(s.Name, "manual step, not run by plan")
	return nil
}

func (stepKind) destroy(_ context.Context, _ *destroyer, s *stages.Stage) error {
	return notInTeardown(s)
}

func findStep(cfg *config.Config, name string) *config.Step {
	for _, s := range cfg.Steps {
		if s.Name == name {
			return s
		}
	}
	return nil
}
