package rebuild

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/checkpoint"
	ckfile "github.com/tfrebuild/tfrebuild/checkpoint/file"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/outcome"
	"github.com/tfrebuild/tfrebuild/stages"
	"github.com/tfrebuild/tfrebuild/terraform"
)

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

// loadTree writes files (slash paths, rebuild.hcl among them) under dir
// and loads the config.
func loadTree(t *testing.T, dir string, files map[string]string) *config.Config {
	t.Helper()
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
	return cfg
}

func newWorld(t *testing.T) *world {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"rebuild.hcl":         testConfig,
		"stacks/base/main.tf": backend + "output \"id\" {\n  value = \"b-1\"\n}\n",
		"stacks/app/main.tf":  backend + "variable \"id\" {\n  type = string\n}\noutput \"url\" {\n  value = var.id\n}\n",
	}
	cfg := loadTree(t, dir, files)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	t.Cleanup(srv.Close)
	w := &world{t: t, cfg: cfg, cloud: &fakeCloud{noState: map[string]bool{}}, tf: newFakeTF(),
		store: &ckfile.Store{Path: filepath.Join(dir, ".tfrebuild", "checkpoint.json")}, sink: &recorder{}, srv: srv}
	w.cloud.tf = w.tf
	w.tf.outputs["base"] = map[string]cty.Value{"id": cty.StringVal("b-1")}
	w.tf.outputs["app"] = map[string]cty.Value{"url": cty.StringVal(srv.URL)}
	return w
}

func (w *world) deps() Deps {
	return Deps{
		Connect: func(context.Context, *config.Config) (*Connection, error) {
			return &Connection{Cloud: w.cloud, States: w.cloud, Identity: bootstrap.Identity{Account: "123456789012", ARN: "arn:aws:iam::123456789012:user/t"},
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

func (w *world) apply() (*outcome.Summary, error) {
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
	if _, err := Confirm(context.Background(), w.cfg, ConfirmOptions{Step: "handoff", By: "ann@h", Deps: w.deps()}); err != nil {
		w.t.Fatal(err)
	}
}

var errBoom = errors.New("boom")

// worldCore is a world and the core of an apply over it, not started.
func worldCore(t *testing.T) (*world, *core) {
	t.Helper()
	w := newWorld(t)
	p, err := stages.Build(w.cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return w, newCore(w.cfg, p, w.common(), "apply", "work")
}
