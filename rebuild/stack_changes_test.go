package rebuild

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/tfrebuild/tfrebuild/terraform"
)

// What an apply changed in a state that existed is said, resource by
// resource, as drift repaired or as a change.
func TestChangesNote(t *testing.T) {
	t.Parallel()
	list := "aws_dynamodb_table.orders created, aws_s3_bucket.uploads updated"
	if changesNote(false, true, list) != "" || changesNote(true, true, "") != "" {
		t.Error("a fresh stack or an apply without changes needs no note")
	}
	if n := changesNote(true, true, list); !strings.HasPrefix(n, "repaired drift") {
		t.Errorf("drift note %q", n)
	}
	if n := changesNote(true, false, list); !strings.HasPrefix(n, "changed in its existing state: aws_dynamodb") {
		t.Errorf("change note %q", n)
	}
	l := terraform.NewChangeLog()
	obs := l.Observe(nil)
	obs(terraform.ResourceEvent{Address: "a.b", Action: "create", Phase: terraform.PhasePlanned})
	obs(terraform.ResourceEvent{Address: "a.b", Action: "create", Phase: terraform.PhaseComplete})
	if r := changeRecords(l, true); len(r) != 1 || r[0].Address != "a.b" || r[0].Action != "create" || !r[0].Repaired {
		t.Errorf("records %+v", r)
	}
}

func TestApplyReportsTheDriftItRepaired(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	e := newEngineTF(w)
	opts := w.common()
	opts.Deps = withEngine(opts.Deps, e, terraform.EngineTerraform, "1.11.4")
	w.cloud.noState[terraform.StateKey("p", "app")] = true // app is built fresh
	_, _ = Apply(context.Background(), w.cfg, ApplyOptions{Common: opts})
	notes := func(stage string) []string { return w.checkpoint().Stage(stage).Notes }
	drift := func(n string) bool { return strings.HasPrefix(n, "repaired drift") }
	if !slices.ContainsFunc(notes("stack.base"), func(n string) bool {
		return drift(n) && strings.Contains(n, "terraform_data.base created")
	}) {
		t.Errorf("base had a state and no record: its changes are drift, repaired: %q", notes("stack.base"))
	}
	if slices.ContainsFunc(notes("stack.app"), func(n string) bool { return strings.Contains(n, "terraform_data.app") }) {
		t.Errorf("app was built fresh: no list of what it created: %q", notes("stack.app"))
	}
}
