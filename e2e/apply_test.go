package e2e

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tfrebuild/tfrebuild/stages"
)

const fourStacks = `
registry "api" {
  name      = "%s-api"
  immutable = true
  keep_last = 10
}

stack "base" {
  source = "{{stacks}}/base"
  inputs = { name = "core" }
}

stack "blue" {
  source = "{{stacks}}/app"
  inputs = {
    colour        = "blue"
    network       = stack.base.outputs.network
    token         = stack.base.outputs.token
    delay_seconds = 2
  }
}

stack "green" {
  source   = "{{stacks}}/app"
  optional = true
  inputs = {
    colour        = "green"
    network       = stack.base.outputs.network
    token         = stack.base.outputs.token
    delay_seconds = 2
  }
}

stack "join" {
  source = "{{stacks}}/join"
  inputs = {
    blue_url  = stack.blue.outputs.url
    green_url = stack.green.outputs.url
  }
}
`

func TestFourStackRebuild(t *testing.T) {
	t.Parallel()
	forEachEngine(t, fourStackRebuild)
}

func fourStackRebuild(t *testing.T, e engine) {
	tg := e.target(t, "fourstack")
	tg.write(strings.ReplaceAll(fourStacks, "%s", tg.project))
	stacksDir, _ := filepath.Abs(filepath.Join("testdata", "stacks"))
	before := treeSnapshot(t, stacksDir)

	res := tg.run("apply", "--yes", "--with", "green")
	wantCode(t, res, 0)

	// Every stack has its own state key, and outputs flowed downstream.
	for _, s := range []string{"base", "blue", "green", "join"} {
		if tg.state(s) == nil {
			t.Fatalf("no state at %s/%s/terraform.tfstate", tg.project, s)
		}
	}
	join := tg.state("join")
	if got := join.Outputs["active"].Value; got != "https://blue.net-core.internal" {
		t.Errorf("join.active = %v: blue's url did not flow through", got)
	}
	if got := join.Outputs["standby"].Value; got != "https://green.net-core.internal" {
		t.Errorf("join.standby = %v: green's url did not flow through", got)
	}

	// blue and green ran at the same time.
	c := tg.checkpoint()
	blue, green := c.Stages["stack.blue"], c.Stages["stack.green"]
	if !blue.StartedAt.Before(*green.FinishedAt) || !green.StartedAt.Before(*blue.FinishedAt) {
		t.Errorf("blue [%s, %s] and green [%s, %s] did not overlap", blue.StartedAt, blue.FinishedAt, green.StartedAt, green.FinishedAt)
	}
	for _, name := range []string{"preflight", "state", "registries", "stack.base", "stack.blue", "stack.green", "stack.join"} {
		if r := c.Stages[name]; r == nil || r.Status != stages.Done || r.StartedAt == nil || r.FinishedAt == nil {
			t.Errorf("checkpoint %s: %+v", name, r)
		}
	}

	// The sensitive output reached the state, and nowhere else.
	secret := sha256hex("core-token")
	if !strings.Contains(tg.state("base").Raw, secret) {
		t.Fatal("test is broken: the token is not in base's state")
	}
	for where, text := range map[string]string{"stdout": res.Stdout, "stderr": res.Stderr, "checkpoint": tg.checkpointText()} {
		if strings.Contains(text, secret) {
			t.Errorf("the sensitive output appears in %s", where)
		}
	}
	if !strings.Contains(res.Stdout, "total ") || !strings.Contains(res.Stdout, "of RTO 30m0s") {
		t.Errorf("summary lacks the total against the RTO:\n%s", res.Stdout)
	}
	if want := "engine: " + tg.engineLabel(); !strings.Contains(res.Stdout, want) {
		t.Errorf("summary does not name the engine (%q):\n%s", want, res.Stdout)
	}

	// The source tree was not written.
	if after := treeSnapshot(t, stacksDir); !reflect.DeepEqual(before, after) {
		t.Errorf("the stack sources changed:\nbefore %v\nafter  %v", before, after)
	}

	// A second apply changes no state.
	serials := map[string]int{}
	for _, s := range []string{"base", "blue", "green", "join"} {
		serials[s] = tg.state(s).Serial
	}
	res = tg.run("apply", "--yes", "--with", "green")
	wantCode(t, res, 0)
	for s, serial := range serials {
		if got := tg.state(s).Serial; got != serial {
			t.Errorf("second apply changed %s's state: serial %d → %d", s, serial, got)
		}
	}
}

func TestFailingStackBlocksOnlyItsDependents(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, "failing")
	body := strings.ReplaceAll(fourStacks, "%s", tg.project)
	body = strings.Replace(body, `colour        = "blue"`, "colour        = \"blue\"\n    fail          = true", 1)
	tg.write(body)
	res := tg.run("apply", "--yes", "--with", "green")
	wantCode(t, res, 1)
	c := tg.checkpoint()
	want := map[string]stages.Status{"stack.base": stages.Done, "stack.blue": stages.Failed, "stack.green": stages.Done, "stack.join": stages.Blocked}
	for name, st := range want {
		if got := c.Stages[name].Status; got != st {
			t.Errorf("%s: %s, want %s", name, got, st)
		}
	}
	if tg.state("green") == nil || tg.state("join") != nil {
		t.Error("green should be applied and join never started")
	}
	out := res.Stdout + res.Stderr
	for _, want := range []string{"stack.blue failed", "simulated provisioning failure", filepath.Join(".tfrebuild", "work", "blue", "terraform-")} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestApplyRefusesTheWrongAccount(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, "wrongacct")
	path := tg.write("")
	// Rewrite the account: the caller (moto) is 123456789012.
	src := strings.Replace(tg.header("999999999999"), "", "", 1)
	writeFile(t, path, src)
	res := tg.run("apply", "--yes")
	wantCode(t, res, 1)
	if !strings.Contains(res.Stderr, "999999999999") || !strings.Contains(res.Stderr, "123456789012") {
		t.Errorf("the guard error should name both accounts:\n%s", res.Stderr)
	}
	if tg.bucketExists() {
		t.Error("the guard let the state bucket be created")
	}
}

func TestApplyWithNoStacksCompletes(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, "nostacks")
	tg.write("")
	res := tg.run("apply", "--yes")
	wantCode(t, res, 0)
	c := tg.checkpoint()
	for _, name := range []string{"preflight", "state", "registries"} {
		if c.Stages[name].Status != stages.Done {
			t.Errorf("%s: %s", name, c.Stages[name].Status)
		}
	}
	if !tg.bucketExists() {
		t.Error("no state bucket")
	}
}

func TestApplyNeedsYesWithoutATerminal(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, "noyes")
	tg.write("")
	res := tg.run("apply")
	wantCode(t, res, 1)
	if !strings.Contains(res.Stderr, "--yes") || tg.bucketExists() {
		t.Errorf("apply without --yes and without a terminal must refuse and write nothing:\n%s", res.Stderr)
	}
}
