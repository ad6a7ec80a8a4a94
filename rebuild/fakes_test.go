package rebuild

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/checkpoint"
	ckfile "github.com/tfrebuild/tfrebuild/checkpoint/file"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/terraform"
)

// fakeCloud stands in for the AWS session: it records what was asked.
type fakeCloud struct {
	mu       sync.Mutex
	calls    []string
	opts     []bootstrap.Options
	drift    bool
	lock     *bootstrap.LockInfo
	noState  map[string]bool // state keys that do not exist
	bucketEr error
}

func (f *fakeCloud) call(name string, o bootstrap.Options) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, name)
	f.opts = append(f.opts, o)
}

func (f *fakeCloud) called(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c == name {
			n++
		}
	}
	return n
}

func (f *fakeCloud) EnsureBucket(_ context.Context, _ string, st config.State, o bootstrap.Options) (*bootstrap.Report, error) {
	f.call("EnsureBucket", o)
	rep := &bootstrap.Report{Changes: []bootstrap.Change{{Resource: "s3://" + st.Bucket, Action: bootstrap.Create, Detail: "state bucket", Applied: !o.DryRun}}}
	if f.drift {
		rep.Changes = []bootstrap.Change{{Resource: "s3://" + st.Bucket, Action: bootstrap.Drift, Detail: "versioning is off"}}
	}
	return rep, f.bucketEr
}

func (f *fakeCloud) EnsureLockTable(_ context.Context, _ string, o bootstrap.Options) (*bootstrap.Report, error) {
	f.call("EnsureLockTable", o)
	return &bootstrap.Report{}, nil
}

func (f *fakeCloud) EnsureRegistries(_ context.Context, _ []*config.Registry, o bootstrap.Options) (*bootstrap.Report, error) {
	f.call("EnsureRegistries", o)
	return nil, nil
}

func (f *fakeCloud) DeleteRegistries(_ context.Context, _ []*config.Registry, o bootstrap.Options) (*bootstrap.Report, error) {
	f.call("DeleteRegistries", o)
	return &bootstrap.Report{Changes: []bootstrap.Change{{Resource: "ecr:app", Action: bootstrap.Delete, Applied: true}}}, nil
}

func (f *fakeCloud) DeleteState(_ context.Context, _ string, st config.State, o bootstrap.Options) (*bootstrap.Report, error) {
	f.call("DeleteState:"+st.LockTable, o)
	return nil, nil
}

func (f *fakeCloud) StateLock(context.Context, string, string, string, string, bool) (*bootstrap.LockInfo, error) {
	f.call("StateLock", bootstrap.Options{})
	return f.lock, nil
}

func (f *fakeCloud) StateExists(_ context.Context, _, _, key string) (bool, error) {
	f.call("StateExists", bootstrap.Options{})
	return !f.noState[key], nil
}

// fakeTF stands in for Terraform: a stack's state is the outputs of its
// last apply.
type fakeTF struct {
	mu       sync.Mutex
	outputs  map[string]map[string]cty.Value // what an apply of a stack yields
	state    map[string]map[string]cty.Value
	applied  []string
	unlocked []string
	fail     map[string]error
	vars     map[string]map[string]cty.Value
	planned  *terraform.PlanResult
}

func newFakeTF() *fakeTF {
	return &fakeTF{outputs: map[string]map[string]cty.Value{}, state: map[string]map[string]cty.Value{},
		fail: map[string]error{}, vars: map[string]map[string]cty.Value{}}
}

func (f *fakeTF) Init(context.Context, terraform.Stack) error { return nil }

func (f *fakeTF) Apply(_ context.Context, s terraform.Stack) (*terraform.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.applied = append(f.applied, s.Name)
	f.vars[s.Name] = s.Vars
	if err := f.fail[s.Name]; err != nil {
		return nil, err
	}
	f.state[s.Name] = f.outputs[s.Name]
	return &terraform.Result{Changed: true, Outputs: terraform.Outputs{Values: f.outputs[s.Name]}}, nil
}

func (f *fakeTF) Plan(_ context.Context, s terraform.Stack) (*terraform.PlanResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.vars[s.Name] = s.Vars
	if err := f.fail[s.Name]; err != nil {
		return nil, err
	}
	res := &terraform.PlanResult{Changes: []terraform.Change{{Address: "terraform_data." + s.Name, Action: "create"}},
		Unknown: map[string]bool{}, Outputs: map[string]cty.Value{}}
	for n := range f.outputs[s.Name] {
		res.Unknown[n] = true
	}
	return res, nil
}

func (f *fakeTF) Destroy(_ context.Context, s terraform.Stack) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.applied = append(f.applied, "destroy "+s.Name)
	delete(f.state, s.Name)
	return true, nil
}

func (f *fakeTF) Outputs(_ context.Context, s terraform.Stack) (terraform.Outputs, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return terraform.Outputs{Values: f.state[s.Name]}, nil
}

func (f *fakeTF) ForceUnlock(_ context.Context, _ terraform.Stack, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.unlocked = append(f.unlocked, id)
	return nil
}

func (f *fakeTF) Workdir(stack string) terraform.Workdir { return terraform.Workdir("/work/" + stack) }
func (f *fakeTF) Close() error                           { return nil }

func (f *fakeTF) appliedList() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.applied...)
}

// recorder is an events.Sink that keeps every event.
type recorder struct {
	mu  sync.Mutex
	evs []events.Event
}

func (r *recorder) Emit(e events.Event) {
	r.mu.Lock()
	r.evs = append(r.evs, e)
	r.mu.Unlock()
}

func (r *recorder) of(t events.Type) []events.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []events.Event
	for _, e := range r.evs {
		if e.Type == t {
			out = append(out, e)
		}
	}
	return out
}

// world is one target with fake collaborators and a real file store.
type world struct {
	t     *testing.T
	cfg   *config.Config
	cloud *fakeCloud
	tf    *fakeTF
	store *ckfile.Store
	sink  *recorder
	srv   *httptest.Server
}

const testConfig = `project = "p"
rto     = "1h"
target {
  account_id = "123456789012"
  region     = "eu-west-2"
}
state {
  bucket     = "p-tfstate"
  lock_table = "p-lock"
}
registry "app" {
  name = "p-app"
}
stack "base" {
  source = "stacks/base"
  mock_outputs = { id = "mock-id" }
}
stack "app" {
  source     = "stacks/app"
  depends_on = [stack.base]
  inputs     = { id = stack.base.outputs.id }
}
check "health" {
  url      = stack.app.outputs.url
  timeout  = "30s"
  interval = "1s"
}
step "handoff" {
  instructions = "Tell the partner team."
  after        = [check.health]
}
`

const backend = "terraform {\n  backend \"s3\" {}\n}\n"

func newWorld(t *testing.T) *world {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"rebuild.hcl":         testConfig,
		"stacks/base/main.tf": backend + "output \"id\" {\n  value = \"b-1\"\n}\n",
		"stacks/app/main.tf":  backend + "variable \"id\" {\n  type = string\n}\noutput \"url\" {\n  value = var.id\n}\n",
	}
	for name, text := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, diags := config.Load(filepath.Join(dir, "rebuild.hcl"))
	if diags.HasErrors() {
		t.Fatal(config.DiagnosticsError(diags))
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	t.Cleanup(srv.Close)
	w := &world{t: t, cfg: cfg, cloud: &fakeCloud{noState: map[string]bool{}}, tf: newFakeTF(),
		store: &ckfile.Store{Path: filepath.Join(dir, ".tfrebuild", "checkpoint.json")}, sink: &recorder{}, srv: srv}
	w.tf.outputs["base"] = map[string]cty.Value{"id": cty.StringVal("b-1")}
	w.tf.outputs["app"] = map[string]cty.Value{"url": cty.StringVal(srv.URL)}
	return w
}

func (w *world) deps() Deps {
	return Deps{
		Connect: func(context.Context, *config.Config) (*Connection, error) {
			return &Connection{Cloud: w.cloud, Identity: bootstrap.Identity{Account: "123456789012", ARN: "arn:aws:iam::123456789012:user/t"},
				Endpoints: map[string]string{"s3": "http://127.0.0.1:1", "ecr": "http://127.0.0.1:2"}}, nil
		},
		Terraform: func(context.Context, *config.Config, string, bool) (Terraform, *terraform.Binary, error) {
			return w.tf, &terraform.Binary{Version: "1.11.4", Path: "/fake/terraform"}, nil
		},
		Store: func(context.Context, *config.Config, bool) (checkpoint.Store, error) { return w.store, nil },
	}
}

func (w *world) common() Common {
	return Common{Parallelism: 4, Sinks: []events.Sink{w.sink}, Deps: w.deps()}
}

func (w *world) apply() (*Summary, error) {
	w.t.Helper()
	return Apply(context.Background(), w.cfg, ApplyOptions{Common: w.common()})
}

func (w *world) checkpoint() *checkpoint.Checkpoint {
	w.t.Helper()
	c, err := w.store.Load(context.Background())
	if err != nil || c == nil {
		w.t.Fatalf("load checkpoint: %v %v", c, err)
	}
	return c
}

func (w *world) confirm() {
	w.t.Helper()
	if err := Confirm(context.Background(), w.cfg, ConfirmOptions{Step: "handoff", By: "ann@h", Deps: w.deps()}); err != nil {
		w.t.Fatal(err)
	}
}

var errBoom = errors.New("boom")

func count(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}
