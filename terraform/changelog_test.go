package terraform

import "testing"

func TestChangeLogListsWhatCompleted(t *testing.T) {
	t.Parallel()
	l := NewChangeLog()
	var passed int
	obs := l.Observe(func(ResourceEvent) { passed++ })
	for _, e := range []ResourceEvent{
		{Address: "aws_s3_bucket.uploads", Action: "update", Phase: PhasePlanned},
		{Address: "aws_dynamodb_table.orders", Action: "create", Phase: PhasePlanned},
		{Address: "aws_ssm_parameter.x", Action: "replace", Phase: PhasePlanned},
		{Address: "aws_dynamodb_table.orders", Action: "create", Phase: PhaseComplete},
		{Address: "aws_s3_bucket.uploads", Action: "update", Phase: PhaseComplete},
		{Address: "aws_ssm_parameter.x", Action: "delete", Phase: PhaseErrored},
	} {
		obs(e)
	}
	if got, want := l.List(), "aws_dynamodb_table.orders created, aws_s3_bucket.uploads updated"; got != want {
		t.Errorf("list %q, want %q (an errored resource is not a change made)", got, want)
	}
	if passed != 6 {
		t.Errorf("%d events passed on, want 6", passed)
	}
	if c := l.Changes(); len(c) != 2 || c[0].Address != "aws_dynamodb_table.orders" || c[0].Action != "create" {
		t.Errorf("changes %+v", c)
	}
	if got := l.Created(); len(got) != 1 || !got["aws_dynamodb_table.orders"] {
		t.Errorf("created %v", got)
	}
}
