package rebuild

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/tfrebuild/tfrebuild/terraform"
)

func TestChangeLogListsWhatCompleted(t *testing.T) {
	t.Parallel()
	l := newChangeLog()
	var passed int
	obs := l.observe(func(terraform.ResourceEvent) { passed++ })
	for _, e := range []terraform.ResourceEvent{
		{Address: "aws_s3_bucket.uploads", Action: "update", Phase: terraform.PhasePlanned},
		{Address: "aws_dynamodb_table.orders", Action: "create", Phase: terraform.PhasePlanned},
		{Address: "aws_ssm_parameter.x", Action: "replace", Phase: terraform.PhasePlanned},
		{Address: "aws_dynamodb_table.orders", Action: "create", Phase: terraform.PhaseComplete},
		{Address: "aws_s3_bucket.uploads", Action: "update", Phase: terraform.PhaseComplete},
		{Address: "aws_ssm_parameter.x", Action: "delete", Phase: terraform.PhaseErrored},
	} {
		obs(e)
	}
	if got, want := l.list(), "aws_dynamodb_table.orders created, aws_s3_bucket.uploads updated"; got != want {
		t.Errorf("list %q, want %q (an errored resource is not a change made)", got, want)
	}
	if passed != 6 {
		t.Errorf("%d events passed on, want 6", passed)
	}
	if changesNote(false, true, l.list()) != "" || changesNote(true, true, "") != "" {
		t.Error("a fresh stack or an apply without changes needs no note")
	}
	if n := changesNote(true, true, l.list()); !strings.HasPrefix(n, "repaired drift") {
		t.Errorf("drift note %q", n)
	}
	if n := changesNote(true, false, l.list()); !strings.HasPrefix(n, "changed in its existing state: aws_dynamodb") {
		t.Errorf("change note %q", n)
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
