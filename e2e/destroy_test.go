package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
)

// destroy empties every stack's state in reverse order and keeps the
// bootstrap; the next apply builds the stacks again.
func TestDestroyThenApplyRebuilds(t *testing.T) {
	t.Parallel()
	forEachEngine(t, destroyThenApply)
}

func destroyThenApply(t *testing.T, e engine) {
	tg := e.target(t, "destroy")
	tg.write(strings.ReplaceAll(fourStacks, "%s", tg.project))
	wantCode(t, tg.run("apply", "--yes", "--with", "green"), 0)
	wantCode(t, tg.run("destroy"), 1) // no terminal, no --yes: refused
	res := tg.run("destroy", "--yes", "--with", "green")
	wantCode(t, res, 0)
	if i, j := strings.Index(res.Stderr, "stack.join       destroyed"), strings.Index(res.Stderr, "stack.base       destroyed"); i < 0 || j < i {
		t.Errorf("join must be destroyed before base:\n%s", res.Stderr)
	}
	for _, s := range []string{"base", "blue", "green", "join"} {
		if st := tg.state(s); st == nil || len(st.Resources) != 0 {
			t.Errorf("state of %s after destroy: %+v", s, st)
		}
	}
	if !tg.bucketExists() {
		t.Error("destroy without --all removed the state bucket")
	}
	res = tg.run("apply", "--yes", "--with", "green")
	wantCode(t, res, 0)
	if strings.Contains(res.Stderr, "up to date") {
		t.Errorf("after destroy, apply must build the stacks again:\n%s", res.Stderr)
	}
	if st := tg.state("join"); st == nil || len(st.Resources) != 1 {
		t.Errorf("join after the rebuild: %+v", st)
	}
}

// A drill rebuilds, reports against the RTO and tears down everything it
// created, bootstrap included.
func TestDrill(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, "drill")
	tg.write(strings.ReplaceAll(fourStacks, "%s", tg.project))
	res := tg.run("drill", "--yes", "--all")
	wantCode(t, res, 0)
	if !strings.Contains(res.Stdout, "drill: rebuild took") || !strings.Contains(res.Stdout, "PASSED") {
		t.Errorf("drill report:\n%s", res.Stdout)
	}
	ctx := context.Background()
	cfg := tg.awsConfig()
	if tg.bucketExists() {
		t.Error("the drill left the state bucket")
	}
	if _, err := dynamodb.NewFromConfig(cfg).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(tg.project + "-lock")}); err == nil {
		t.Error("the drill left the lock table")
	}
	if _, err := ecr.NewFromConfig(cfg).DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{tg.project + "-api"}}); err == nil {
		t.Error("the drill left the repository")
	}
	if c := tg.checkpoint(); len(c.Stages) != 0 {
		t.Errorf("after a full teardown the checkpoint should start afresh: %v", c.Stages)
	}
}
