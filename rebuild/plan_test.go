package rebuild

import (
	"context"
	"testing"

	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/terraform"
)

// quietTF plans no change for any stack.
type quietTF struct{ *fakeTF }

func (q quietTF) Plan(ctx context.Context, s terraform.Stack) (*terraform.PlanResult, error) {
	res, err := q.fakeTF.Plan(ctx, s)
	if res != nil {
		res.Changes = nil
	}
	return res, err
}

// #11.8: drift of the state bucket is a pending change (plan
// --detailed-exitcode exits 2), even when every stack is up to date.
func TestPlanCountsDriftAsPending(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := w.common()
	c.Deps.Terraform = func(context.Context, *config.Config, string, bool) (Terraform, *terraform.Binary, error) {
		return quietTF{w.tf}, &terraform.Binary{Version: "1.11.4", Path: "/fake/terraform"}, nil
	}
	w.cloud.drift = true
	rep, err := Plan(context.Background(), w.cfg, PlanOptions{Common: c})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"create", "update", "delete", "replace"} {
		if rep.Totals[k] != 0 {
			t.Fatalf("test premise: only drift, got %v", rep.Totals)
		}
	}
	if rep.Totals["drift"] != 1 || !rep.ChangesPending {
		t.Errorf("drift %d, changes pending %v", rep.Totals["drift"], rep.ChangesPending)
	}
}
