package rebuild

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/stages"
	"github.com/tfrebuild/tfrebuild/terraform"
	"github.com/tfrebuild/tfrebuild/tfstate"
)

// bucketCloud is the fake session with a versioned state bucket: every
// write of an object gives it a new version.
type bucketCloud struct {
	*fakeCloud
	mu      sync.Mutex
	objects map[string][]byte
	version map[string]int
	reads   int
	// gate, when set, is called before each read, outside the lock.
	gate func(key string)
}

func (b *bucketCloud) Read(_ context.Context, l tfstate.Location) (tfstate.Object, error) {
	if b.gate != nil {
		b.gate(l.Key)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.reads++
	if l.Owner != "123456789012" || l.Bucket != "p-tfstate" {
		return tfstate.Object{}, fmt.Errorf("read %s as owner %s", l, l.Owner)
	}
	body, ok := b.objects[l.Key]
	if !ok {
		return tfstate.Object{}, nil
	}
	return tfstate.Object{Body: body, Version: fmt.Sprintf("version:v%d", b.version[l.Key])}, nil
}

func (b *bucketCloud) write(t *testing.T, key string, outs map[string]cty.Value) {
	t.Helper()
	state := map[string]any{"version": 4, "outputs": map[string]any{}}
	for name, v := range outs {
		val, err := ctyjson.Marshal(v, v.Type())
		if err != nil {
			t.Fatal(err)
		}
		ty, err := ctyjson.MarshalType(v.Type())
		if err != nil {
			t.Fatal(err)
		}
		state["outputs"].(map[string]any)[name] = map[string]any{"value": json.RawMessage(val), "type": json.RawMessage(ty)}
	}
	body, err := json.Marshal(state)
	if err != nil {
		t.Fatal(err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.objects[key] = body
	b.version[key]++
}

// processTF is the fake Terraform whose applies write the stack's state
// object, and which counts every call that would start a Terraform
// process.
type processTF struct {
	*fakeTF
	t      *testing.T
	bucket *bucketCloud
	mu     sync.Mutex
	calls  []string
}

func (p *processTF) called(what string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, what)
}

func (p *processTF) processes() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.calls
	p.calls = nil
	return out
}

func (p *processTF) Init(ctx context.Context, s terraform.Stack) error {
	p.called("init " + s.Name)
	return p.fakeTF.Init(ctx, s)
}

func (p *processTF) Apply(ctx context.Context, s terraform.Stack) (*terraform.Result, error) {
	p.called("apply " + s.Name)
	res, err := p.fakeTF.Apply(ctx, s)
	if err == nil {
		p.bucket.write(p.t, s.Backend.Key, p.fakeTF.outputs[s.Name])
	}
	return res, err
}

func stateWorld(t *testing.T) (*world, *bucketCloud, *processTF) {
	w := newWorld(t)
	bc := &bucketCloud{fakeCloud: w.cloud, objects: map[string][]byte{}, version: map[string]int{}}
	ptf := &processTF{fakeTF: w.tf, t: t, bucket: bc}
	return w, bc, ptf
}

// appliedStateWorld is a stateWorld without steps or checks, applied once,
// its Terraform calls so far forgotten.
func appliedStateWorld(t *testing.T) (*world, *bucketCloud, *processTF) {
	t.Helper()
	w, bc, ptf := stateWorld(t)
	w.cfg.Steps, w.cfg.Checks = nil, nil
	if err := applyWith(t, w, bc, ptf); err != nil {
		t.Fatal(err)
	}
	ptf.processes()
	return w, bc, ptf
}

func applyWith(t *testing.T, w *world, bc *bucketCloud, ptf *processTF) error {
	t.Helper()
	return applyWithOpts(t, w, bc, ptf, func(*ApplyOptions) {})
}

// applyWithOpts is applyWith with options edited by edit.
func applyWithOpts(t *testing.T, w *world, bc *bucketCloud, ptf *processTF, edit func(*ApplyOptions)) error {
	t.Helper()
	deps := w.deps()
	connect := deps.Connect
	deps.Connect = func(ctx context.Context, cfg *config.Config) (*Connection, error) {
		c, err := connect(ctx, cfg)
		if err == nil {
			c.Cloud, c.States = bc, bc
		}
		return c, err
	}
	deps.Terraform = func(context.Context, *config.Config, string, bool) (Terraform, *terraform.Binary, error) {
		return ptf, &terraform.Binary{Version: "1.11.4", Path: "/fake/terraform"}, nil
	}
	opts := w.common()
	opts.Deps = deps
	ao := ApplyOptions{Common: opts}
	edit(&ao)
	_, err := Apply(context.Background(), w.cfg, ao)
	return err
}

func hasNote(notes []string, prefix string) bool {
	return slices.ContainsFunc(notes, func(n string) bool { return strings.HasPrefix(n, prefix) })
}

// A done stack whose fingerprint and state object are unchanged is
// skipped without any Terraform call: no init ahead, no state read by
// Terraform, no plan. A state written behind tfrebuild's back sends the
// stack through Terraform again.
func TestSkipWithoutTerraformWhenTheStateIsUnchanged(t *testing.T) {
	t.Parallel()
	w, bc, ptf := stateWorld(t)
	w.cfg.Steps, w.cfg.Checks = nil, nil
	if err := applyWith(t, w, bc, ptf); err != nil {
		t.Fatal(err)
	}
	first := ptf.processes()
	if !slices.Contains(first, "apply base") || !slices.Contains(first, "apply app") {
		t.Fatalf("first run: %v", first)
	}
	c := w.checkpoint()
	for _, s := range []string{"base", "app"} {
		if got := c.Stages["stack."+s].StateVersion; got != "version:v1" {
			t.Errorf("stack %s: recorded state version %q, want the one its outputs were read from", s, got)
		}
	}

	leaveUnfinished(t, w)
	if err := applyWith(t, w, bc, ptf); err != nil {
		t.Fatal(err)
	}
	if got := ptf.processes(); len(got) != 0 {
		t.Errorf("a resume with nothing changed called Terraform: %v", got)
	}
	if notes := w.checkpoint().Stages["stack.app"].Notes; !hasNote(notes, "up to date") || !strings.Contains(notes[0], "without running Terraform") {
		t.Errorf("app's notes: %v", notes)
	}

	// Someone applied base by hand: same outputs, new state version.
	bc.write(t, terraform.StateKey("p", "base"), map[string]cty.Value{"id": cty.StringVal("b-1")})
	leaveUnfinished(t, w)
	if err := applyWith(t, w, bc, ptf); err != nil {
		t.Fatal(err)
	}
	if got := ptf.processes(); !slices.Equal(got, []string{"apply base"}) {
		t.Errorf("after a write of base's state: Terraform calls %v, want base applied again and app skipped", got)
	}
	c = w.checkpoint()
	if notes := c.Stages["stack.base"].Notes; !hasNote(notes, "its state p/base/terraform.tfstate changed since it was applied (version:v2, was version:v1)") {
		t.Errorf("base's notes should say why it runs again: %v", notes)
	}
	if got := c.Stages["stack.base"].StateVersion; got != "version:v3" {
		t.Errorf("base's recorded version after its apply: %q", got)
	}
}

// A resume reads the state objects of every done stack at once, while the
// state stage runs: app's is asked for while base's read is unanswered,
// although app's stage waits for base's.
func TestResumeReadsDoneStatesAhead(t *testing.T) {
	t.Parallel()
	w, bc, ptf := appliedStateWorld(t)
	leaveUnfinished(t, w)
	arrived, release := make(chan string, 16), make(chan struct{})
	bc.gate = func(key string) {
		select {
		case arrived <- key:
		default:
		}
		<-release
	}
	together := make(chan bool, 1)
	go func() {
		defer close(release)
		seen := map[string]bool{}
		deadline := time.After(30 * time.Second) // only a failure waits this long
		for len(seen) < 2 {
			select {
			case k := <-arrived:
				seen[k] = true
			case <-deadline:
				together <- false
				return
			}
		}
		together <- true
	}()
	if err := applyWith(t, w, bc, ptf); err != nil {
		t.Fatal(err)
	}
	if !<-together {
		t.Error("the done stacks' states were read one after the other, not ahead of their stages")
	}
	if got := ptf.processes(); len(got) != 0 {
		t.Errorf("the resume called Terraform: %v", got)
	}
}

// A checkpoint written before state versions were recorded still skips
// (reading the outputs from the state object, without Terraform) and
// records the version for next time.
func TestSkipRecordsAMissingStateVersion(t *testing.T) {
	t.Parallel()
	w, bc, ptf := appliedStateWorld(t)
	c := w.checkpoint()
	for _, r := range c.Stages {
		r.StateVersion = ""
	}
	c.Stage("preflight").Status = stages.Failed // a resume
	if err := w.store.Save(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if err := applyWith(t, w, bc, ptf); err != nil {
		t.Fatal(err)
	}
	if got := ptf.processes(); len(got) != 0 {
		t.Errorf("an old checkpoint: Terraform calls %v, want the outputs read from the state objects", got)
	}
	if got := w.checkpoint().Stages["stack.app"].StateVersion; got != "version:v1" {
		t.Errorf("the version was not recorded: %q", got)
	}
	leaveUnfinished(t, w)
	if err := applyWith(t, w, bc, ptf); err != nil {
		t.Fatal(err)
	}
	if got := ptf.processes(); len(got) != 0 {
		t.Errorf("once recorded, a resume calls no Terraform: %v", got)
	}
}

// The warm-up reaches the runner under the wrappers the engine puts
// around it after preflight.
func TestPreflightKeepsTheRunnerReachable(t *testing.T) {
	t.Parallel()
	w, bc, _ := stateWorld(t)
	runner := &terraform.Runner{Binary: &terraform.Binary{Version: "1.11.4", Path: "/fake/terraform"}, WorkRoot: t.TempDir()}
	deps := w.deps()
	deps.Connect = func(context.Context, *config.Config) (*Connection, error) {
		return &Connection{Cloud: bc, States: bc, Identity: bootstrap.Identity{Account: "123456789012"}}, nil
	}
	deps.Terraform = func(context.Context, *config.Config, string, bool) (Terraform, *terraform.Binary, error) {
		return runner, runner.Binary, nil
	}
	p, err := stages.Build(w.cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	opts := w.common()
	opts.Deps = deps
	c := newCore(w.cfg, p, opts, "apply", "work")
	if err := c.preflight(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Prepare goes through the engine's wrapper to the runner, which lays
	// out the stack's working copy.
	if err := c.tf.Prepare(context.Background(), c.tfStack(w.cfg.Stack("base"))); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(string(runner.Workdir("base"))); err != nil {
		t.Errorf("the warm-up's Prepare did not reach the runner under %T: %v", c.tf, err)
	}
}
