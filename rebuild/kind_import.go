package rebuild

import (
	"context"
	"fmt"

	"github.com/tfrebuild/tfrebuild/stages"
)

// importKind adopts a restored DynamoDB table into its stack's state
// (stage import.NAME). It is apart from restore.NAME so that the restore
// call, which needs only the source and the table's name, starts right
// after preflight, while the import waits for what it needs: the state
// backend and the stack's inputs (the stacks upstream).
type importKind struct{}

func (importKind) apply(ctx context.Context, a *applier, s *stages.Stage) error {
	r := a.cfg.Restore(s.Target)
	if r == nil {
		return fmt.Errorf("stage %s: there is no restore %q in %s", s.Name, s.Target, a.cfg.Filename)
	}
	return a.adopt(ctx, r)
}

func (importKind) plan(_ context.Context, p *planner, s *stages.Stage) error {
	if r := p.cfg.Restore(s.Target); r != nil {
		p.note(s.Name, fmt.Sprintf("not run by plan: apply imports table %s into stack.%s's state as %s once it is restored, unless the state has it already",
			r.DynamoDBTable, r.Stack, r.Address))
	}
	return nil
}

func (importKind) destroy(_ context.Context, _ *destroyer, s *stages.Stage) error {
	return notInTeardown(s)
}
