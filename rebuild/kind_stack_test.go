package rebuild

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/lease"
	"github.com/tfrebuild/tfrebuild/outcome"
	"github.com/tfrebuild/tfrebuild/stages"
	"github.com/tfrebuild/tfrebuild/terraform"
	"github.com/tfrebuild/tfrebuild/tfstate"
)

// engineTF is the fake Terraform as a real engine behaves towards the
// stack's hooks: every command sees the stack as wired, apply and plan
// report progress on one resource, and both carry the runner's notes.
type engineTF struct {
	*fakeTF
	mu    sync.Mutex
	seen  map[string][]terraform.Stack // by command
	notes []string
}

func newEngineTF(w *world) *engineTF {
	return &engineTF{fakeTF: w.tf, seen: map[string][]terraform.Stack{}}
}

func (e *engineTF) saw(cmd string, s terraform.Stack) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.seen[cmd] = append(e.seen[cmd], s)
}

func (e *engineTF) stacks(cmd string) []terraform.Stack {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.seen[cmd])
}

func (e *engineTF) progress(s terraform.Stack) {
	addr := "terraform_data." + s.Name
	for _, ev := range []terraform.ResourceEvent{
		{Stack: s.Name, Phase: terraform.PhaseSummary, Total: 1},
		{Stack: s.Name, Address: addr, Action: "create", Phase: terraform.PhasePlanned, Total: 1},
		{Stack: s.Name, Address: addr, Action: "create", Phase: terraform.PhaseStarted, Total: 1},
		{Stack: s.Name, Address: addr, Action: "create", Phase: terraform.PhaseProgress, Total: 1},
		{Stack: s.Name, Address: addr, Action: "create", Phase: terraform.PhaseComplete, Done: 1, Total: 1},
	} {
		if s.Progress != nil {
			s.Progress(ev)
		}
	}
}

func (e *engineTF) Init(ctx context.Context, s terraform.Stack) error {
	e.saw("init", s)
	return e.fakeTF.Init(ctx, s)
}

func (e *engineTF) Apply(ctx context.Context, s terraform.Stack) (*terraform.Result, error) {
	e.saw("apply", s)
	e.progress(s)
	res, err := e.fakeTF.Apply(ctx, s)
	if res != nil {
		res.Notes = e.notes
	}
	return res, err
}

func (e *engineTF) Plan(ctx context.Context, s terraform.Stack) (*terraform.PlanResult, error) {
	e.saw("plan", s)
	res, err := e.fakeTF.Plan(ctx, s)
	if res != nil {
		res.Notes = e.notes
	}
	return res, err
}

// withEngine makes the world's runs find tf as the given engine.
func withEngine(d Deps, tf Terraform, engine, version string) Deps {
	d.Terraform = func(context.Context, *config.Config, string, bool) (Terraform, *terraform.Binary, error) {
		return tf, &terraform.Binary{Engine: engine, Version: version, Path: "/fake/" + engine}, nil
	}
	return d
}

func TestEveryCommandOfAStackGetsItsEnvAndVarFiles(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	base := w.cfg.Stack("base")
	base.Env = map[string]string{"TF_REGISTRY_CLIENT_TIMEOUT": "30"}
	base.VarFiles = []string{filepath.Join(t.TempDir(), "common.tfvars")}
	if err := os.WriteFile(base.VarFiles[0], []byte("size = 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := newEngineTF(w)
	opts := w.common()
	opts.Deps = withEngine(opts.Deps, e, terraform.EngineTerraform, "1.11.4")
	_, _ = Apply(context.Background(), w.cfg, ApplyOptions{Common: opts}) // stops at the manual step
	if _, err := Plan(context.Background(), w.cfg, PlanOptions{Common: opts}); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"init", "apply", "plan"} {
		var found bool
		for _, s := range e.stacks(cmd) {
			if s.Name != "base" {
				continue
			}
			found = true
			if s.Env["TF_REGISTRY_CLIENT_TIMEOUT"] != "30" || !slices.Equal(s.VarFiles, base.VarFiles) || (cmd == "apply" && s.Progress == nil) {
				t.Errorf("%s of base: env %v, var files %v, progress hook set %v", cmd, s.Env, s.VarFiles, s.Progress != nil)
			}
			if s.Backend.Bucket != "p-tfstate" || s.SourceDir != base.SourceDir {
				t.Errorf("%s of base: backend %+v, source %s", cmd, s.Backend, s.SourceDir)
			}
		}
		if !found {
			t.Errorf("no %s of base", cmd)
		}
	}
}

func TestResourceProgressAndRunnerNotesReachTheRun(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	e := newEngineTF(w)
	e.notes = []string{"no committed lock file; the generated one is kept in /w/base/.terraform.lock.hcl"}
	opts := w.common()
	opts.Deps = withEngine(opts.Deps, e, terraform.EngineTerraform, "1.11.4")
	sum, _ := Apply(context.Background(), w.cfg, ApplyOptions{Common: opts})
	var got []string
	for _, ev := range w.sink.of(events.ResourceProgress) {
		r := ev.Resource
		if ev.Stage == "stack.base" && r != nil {
			got = append(got, r.Phase+" "+r.Address+" "+r.Action)
			if r.Total != 1 {
				t.Errorf("event %+v: total", r)
			}
		}
	}
	want := []string{"start terraform_data.base create", "complete terraform_data.base create"}
	if !slices.Equal(got, want) {
		t.Errorf("resource_progress of stack.base: %q, want %q", got, want)
	}
	if row := summaryRow(sum, "stack.base"); row == nil || !slices.Contains(row.Notes, e.notes[0]) {
		t.Errorf("the runner's note is not in the summary: %+v", row)
	}
	var noted bool
	for _, ev := range w.sink.of(events.StageNote) {
		noted = noted || (ev.Stage == "stack.base" && ev.Message == e.notes[0])
	}
	if !noted {
		t.Error("the runner's note was not a stage_note")
	}

	rep, err := Plan(context.Background(), w.cfg, PlanOptions{Common: opts})
	if err != nil {
		t.Fatal(err)
	}
	for _, ps := range rep.Stages {
		if ps.Name == "stack.base" && !slices.Contains(ps.Notes, e.notes[0]) {
			t.Errorf("the plan report's stack.base does not carry the runner's note: %v", ps.Notes)
		}
	}
}

func summaryRow(sum *outcome.Summary, stage string) *outcome.StageSummary {
	if sum == nil {
		return nil
	}
	for i := range sum.Stages {
		if sum.Stages[i].Name == stage {
			return &sum.Stages[i]
		}
	}
	return nil
}

func TestSwitchingEnginesReappliesEveryStack(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	run := func(engine, version string) {
		t.Helper()
		opts := w.common()
		opts.Deps = withEngine(opts.Deps, w.tf, engine, version)
		_, _ = Apply(context.Background(), w.cfg, ApplyOptions{Common: opts})
	}
	applies := func() int { return len(w.tf.appliedList()) }
	run(terraform.EngineTerraform, "1.11.4")
	first := applies()
	if first != 2 {
		t.Fatalf("first run applied %v", w.tf.appliedList())
	}
	run(terraform.EngineTerraform, "1.11.4")
	if applies() != first {
		t.Fatalf("the same engine re-applied: %v", w.tf.appliedList())
	}
	run(terraform.EngineOpenTofu, "1.11.4")
	if applies() != first+2 {
		t.Fatalf("switching to OpenTofu at the same version did not re-apply every stack: %v", w.tf.appliedList())
	}
	run(terraform.EngineOpenTofu, "1.12.6")
	if applies() != first+4 {
		t.Fatalf("a new OpenTofu version did not re-apply every stack: %v", w.tf.appliedList())
	}
	c := w.checkpoint()
	if notes := c.Stage("preflight").Notes; !slices.ContainsFunc(notes, func(n string) bool { return strings.HasPrefix(n, "opentofu 1.12.6 at /fake/opentofu") }) {
		t.Errorf("preflight does not name the engine: %q", notes)
	}
}

func TestAForeignStateLockIsExplainedWithTheEnginesCommand(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.cfg.Terraform.Engine = config.EngineOpenTofu
	opts := w.common()
	opts.Deps = withEngine(opts.Deps, w.tf, terraform.EngineOpenTofu, "1.12.6")
	ts := terraform.Stack{Name: "base", Backend: terraform.Backend{Key: "p/base.tfstate"}}
	a := &applier{core: newCore(w.cfg, nil, opts, "apply", "work")}
	a.conn, a.tf = &Connection{Cloud: w.cloud, States: w.cloud}, w.tf
	w.cloud.lock = &tfstate.LockInfo{ID: "lock-9", Who: "bob@h2", Created: time.Now()}
	err := a.releaseStaleLock(context.Background(), ts, time.Now(), nil)
	if err == nil || !strings.Contains(err.Error(), "engine -chdir=/work/base/src force-unlock -force lock-9") ||
		!strings.Contains(err.Error(), "nobody is running OpenTofu") {
		t.Fatalf("want the engine's own force-unlock command, got %v", err)
	}
}

func TestReportsNameTheEngine(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.cfg.Terraform.Engine, w.cfg.Terraform.Version = config.EngineOpenTofu, "1.12.6"
	opts := w.common()
	opts.Deps = withEngine(opts.Deps, w.tf, terraform.EngineOpenTofu, "1.12.6")
	sum, _ := Apply(context.Background(), w.cfg, ApplyOptions{Common: opts})
	if sum == nil || sum.Engine != "opentofu 1.12.6" {
		t.Errorf("summary engine: %+v", sum)
	}
	rep, err := Plan(context.Background(), w.cfg, PlanOptions{Common: opts})
	if err != nil || rep.Engine != "opentofu 1.12.6" {
		t.Errorf("plan report engine %q (%v)", rep.Engine, err)
	}
	st, err := ReadStatus(context.Background(), w.cfg, StatusOptions{Deps: opts.Deps})
	if err != nil || st.Engine != "opentofu 1.12.6" {
		t.Errorf("status engine %q (%v)", st.Engine, err)
	}
}

// When the apply printed all of a stack's outputs (none sensitive), its
// dependents start with them at once: the state object is read for its
// version behind the stage, and that version is on record when the run
// ends. Here no state read answers until app has been applied: a stage
// that waited for its read would never let app start.
func TestDependentsStartWithTheOutputsTheApplyPrinted(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.tf.printsOutputs = true
	appApplied := make(chan struct{})
	var once sync.Once
	w.tf.hook = func(stack string) {
		if stack == "app" {
			once.Do(func() { close(appApplied) })
		}
	}
	w.cloud.hook = func(name string) {
		if name != "StateRead" {
			return
		}
		select {
		case <-appApplied:
		case <-time.After(time.Minute):
			t.Error("no state read answered before app was applied, and app was not applied within a minute")
		}
	}
	if _, err := w.apply(); !errors.Is(err, stages.ErrWaiting) {
		t.Fatal(err)
	}
	if v := w.tf.vars["app"]["id"]; !v.RawEquals(cty.StringVal("b-1")) {
		t.Errorf("app's input id = %#v, want base's printed output", v)
	}
	for _, st := range []string{"stack.base", "stack.app"} {
		if v := w.checkpoint().Stages[st].StateVersion; !strings.HasPrefix(v, "etag:") {
			t.Errorf("%s: state version on record %q", st, v)
		}
	}
}

// Once an apply's last cloud write is done, its run lease is released
// behind the rest of its end (reads, the file checkpoint's last save):
// here no state read made after app's apply answers while the lease is
// still held, so a run that released it only at its very end would not
// finish.
func TestTheLeaseGoesWithTheLastWrite(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.tf.printsOutputs = true // app's state version is read behind its stage
	released := make(chan struct{})
	w.cloud.leases = &memLease{deleted: released}
	var appApplied atomic.Bool
	w.tf.hook = func(stack string) { appApplied.Store(stack == "app" || appApplied.Load()) }
	leaseHeld := func() bool {
		h, _, _ := w.cloud.leases.Read(context.Background())
		return h != nil
	}
	w.cloud.hook = func(name string) {
		if name != "StateRead" || !appApplied.Load() {
			return
		}
		select {
		case <-released:
		case <-time.After(time.Minute): // only a failure waits this long
			t.Error("the run lease was still held a minute after app's apply")
		}
	}
	if _, err := w.apply(); !errors.Is(err, stages.ErrWaiting) {
		t.Fatal(err)
	}
	if leaseHeld() {
		t.Error("the run lease is held after the run")
	}
}

// A resume's registries stage proves the run lease beside its reads, and
// a repository it would create waits for that proof: with the lease
// taken over meanwhile, the create is refused with the loss, and the run
// ends with it.
func TestAResumeCreatesNoRepositoryWithoutTheLease(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	if _, err := w.apply(); !errors.Is(err, stages.ErrWaiting) {
		t.Fatal(err)
	}
	// Another run can take the lease over only once its heartbeat is a
	// TTL old: the clock moves that far when it does.
	var late atomic.Int64
	opts := w.common()
	opts.Clock = func() time.Time { return time.Now().Add(time.Duration(late.Load())) }
	var createErr error
	w.cloud.hook = func(name string) {
		switch name {
		case "EnsureLockTable": // the state stage, with the lease held: another run takes it
			late.Store(int64(lease.TTL))
			w.cloud.mu.Lock()
			m := w.cloud.leases
			w.cloud.mu.Unlock()
			_, v, _ := m.Read(context.Background())
			m.mu.Lock()
			m.h, m.ver = &checkpoint.Holder{RunID: "thief", Token: 9}, atoi(v)+1
			m.mu.Unlock()
		case "EnsureRegistries":
			opts := w.cloud.callsOf("EnsureRegistries")
			if o := opts[len(opts)-1]; o.BeforeCreate == nil {
				createErr = errors.New("no wait before a create")
			} else {
				createErr = o.BeforeCreate("ecr:app")
			}
		}
	}
	_, err := Apply(context.Background(), w.cfg, ApplyOptions{Common: opts})
	var lost *lease.LostError
	if !errors.As(createErr, &lost) {
		t.Errorf("a create after the lease was taken: %v", createErr)
	}
	if !errors.As(err, &lost) {
		t.Errorf("the run ends with %v, want the lease's loss", err)
	}
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }
