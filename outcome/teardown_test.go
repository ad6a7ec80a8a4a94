package outcome

import (
	"strings"
	"testing"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/stages"
)

// What a teardown deletes comes first, account by account, then what it
// keeps, each in the order the teardown met them.
func TestGroupTeardown(t *testing.T) {
	t.Parallel()
	target := bootstrap.Account{ID: "123456789012", Region: "eu-west-2"}
	mgmt := bootstrap.Account{Name: "mgmt", ID: "210987654321", Region: "eu-west-2"}
	groups := GroupTeardown([]TeardownItem{
		{Account: target, Resource: "the state of stack base", Delete: true},
		{Account: mgmt, Resource: "ecr:api", Delete: false, Detail: "not created by this target"},
		{Account: mgmt, Resource: "ecr:worker", Delete: true},
		{Account: target, Resource: "s3://state", Delete: true},
	})
	var got []string
	for _, g := range groups {
		var names []string
		for _, it := range g.Items {
			names = append(names, it.Resource)
		}
		got = append(got, g.Heading()+": "+strings.Join(names, ", "))
	}
	want := []string{
		"will delete in " + target.Label() + " (123456789012, eu-west-2): the state of stack base, s3://state",
		"will delete in " + mgmt.Label() + " (210987654321, eu-west-2): ecr:worker",
		"will keep in " + mgmt.Label() + " (210987654321, eu-west-2): ecr:api",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("groups:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// The plan lists the stages whose errors it shows: failed, blocked and
// interrupted ones, never a done or pending one.
func TestPlanFailed(t *testing.T) {
	t.Parallel()
	p := &PlanReport{Stages: []*PlanStage{
		{Name: "stack.a", Status: stages.Done},
		{Name: "stack.b", Status: stages.Failed},
		{Name: "stack.c", Status: stages.Blocked},
		{Name: "stack.d", Status: stages.Pending},
		{Name: "stack.e", Status: stages.Interrupted},
	}}
	if got := strings.Join(p.Failed(), ","); got != "stack.b,stack.c,stack.e" {
		t.Errorf("Failed() = %s", got)
	}
}
