package rebuild

import (
	"context"
	"fmt"

	"github.com/tfrebuild/tfrebuild/stages"
)

// stageKind is what each mode does with one kind of stage. A new stage
// kind (restore.NAME, say) is one file with a type implementing it, and
// one entry in kinds: the modes' stage functions dispatch through here.
type stageKind interface {
	apply(ctx context.Context, a *applier, s *stages.Stage) error
	plan(ctx context.Context, p *planner, s *stages.Stage) error
	destroy(ctx context.Context, d *destroyer, s *stages.Stage) error
}

var kinds = map[stages.Kind]stageKind{
	stages.KindPreflight:  preflightKind{},
	stages.KindState:      stateKind{},
	stages.KindRegistries: registriesKind{},
	stages.KindStack:      stackKind{},
	stages.KindCheck:      checkKind{},
	stages.KindStep:       stepKind{},
	stages.KindRestore:    restoreKind{},
	stages.KindImport:     importKind{},
}

func kindOf(s *stages.Stage) (stageKind, error) {
	k := kinds[s.Kind]
	if k == nil {
		return nil, fmt.Errorf("stage %s: unknown stage kind %q", s.Name, s.Kind)
	}
	return k, nil
}

// preflightKind checks credentials and the guard, and finds Terraform: the
// same in every mode, in the mode's own work folder.
type preflightKind struct{}

func (preflightKind) apply(ctx context.Context, a *applier, _ *stages.Stage) error {
	return a.preflight(ctx)
}

func (preflightKind) plan(ctx context.Context, p *planner, _ *stages.Stage) error {
	return p.preflight(ctx)
}

// destroy also takes the run lease, which proves the state bucket is the
// target's before any Terraform command reads or writes a state in it.
func (preflightKind) destroy(ctx context.Context, d *destroyer, s *stages.Stage) error {
	if err := d.preflight(ctx); err != nil {
		return err
	}
	return d.holdLease(ctx, s.Name, false)
}

// notInTeardown is the answer of kinds a teardown pipeline never holds.
func notInTeardown(s *stages.Stage) error {
	return fmt.Errorf("stage %s: destroy has nothing to do for a %s stage", s.Name, s.Kind)
}
