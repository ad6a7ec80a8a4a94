package stages

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrebuild/tfrebuild/config"
)

const restoreConfig = `project = "demo"
rpo     = "15m"
target {
  account_id = "123456789012"
  region     = "eu-west-2"
}
state {
  bucket     = "demo-tfstate-123456789012-eu-west-2"
  lock_table = "demo-tflock"
}
stack "net" {
  source = "STACKS/net"
}
stack "data" {
  source     = "STACKS/data"
  depends_on = [stack.net]
}
stack "extra" {
  source     = "STACKS/data"
  optional   = true
}
restore "uploads" {
  s3_bucket     = "orders-uploads"
  from          = "versions"
  point_in_time = "2026-11-25T06:00:00Z"
  stack         = stack.data
  address       = "aws_s3_bucket.uploads"
}
restore "orders" {
  dynamodb_table = "orders"
  from           = "backup"
  stack          = stack.data
  address        = "aws_dynamodb_table.orders"
}
restore "history" {
  dynamodb_table = "history"
  from           = "point_in_time"
  source_table   = "orders"
  source_region  = "eu-west-1"
  stack          = stack.extra
  address        = "aws_dynamodb_table.orders"
}
step "tell" {
  instructions = "Tell the team."
  after        = [stack.data]
}
`

func loadRestoreConfig(t *testing.T) *config.Config {
	t.Helper()
	stacks, err := filepath.Abs(filepath.Join("..", "config", "testdata", "stacks"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "rebuild.hcl")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(restoreConfig, "STACKS", filepath.ToSlash(stacks))), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := config.Load(path)
	if diags.HasErrors() {
		t.Fatal(config.DiagnosticsError(diags))
	}
	return cfg
}

func TestBuildPlacesRestores(t *testing.T) {
	t.Parallel()
	cfg := loadRestoreConfig(t)
	p, err := Build(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "preflight state restore.orders restore.history registries stack.net import.history import.orders stack.extra stack.data restore.uploads step.tell"
	if got := strings.Join(names(p), " "); got != want {
		t.Errorf("order = %s\nwant    %s", got, want)
	}
	deps := func(name string) string { return strings.Join(p.Get(name).Deps, ",") }
	for name, want := range map[string]string{
		// data first: the restore call needs only preflight; the import needs
		// the backend and the stack's inputs: it waits for what the stack waits for.
		"restore.orders":  "preflight",
		"import.orders":   "state,stack.net,restore.orders",
		"stack.data":      "state,stack.net,import.orders",
		"restore.uploads": "stack.data",
		"step.tell":       "stack.data,restore.uploads",
	} {
		if got := deps(name); got != want {
			t.Errorf("%s deps = %s, want %s", name, got, want)
		}
	}
	if s := p.Get("restore.orders"); s.Kind != KindRestore || s.Target != "orders" || s.Skipped {
		t.Errorf("restore.orders = %+v", s)
	}
	if s := p.Get("import.orders"); s.Kind != KindImport || s.Target != "orders" || s.Skipped {
		t.Errorf("import.orders = %+v", s)
	}
	if !p.Get("restore.history").Skipped || !p.Get("import.history").Skipped {
		t.Error("a restore of an optional stack left out of the run is skipped too")
	}
	p, err = Build(cfg, []string{"extra"})
	if err != nil {
		t.Fatal(err)
	}
	if s := p.Get("restore.history"); s.Skipped || strings.Join(p.Get("stack.extra").Deps, ",") != "state,import.history" {
		t.Errorf("with extra: history skipped=%v, extra deps %v", s.Skipped, p.Get("stack.extra").Deps)
	}
	if d, err := BuildDestroy(cfg, nil, true); err != nil || strings.Contains(strings.Join(names(d), " "), "restore.") {
		t.Errorf("destroy has no restore stages: %v, %v", names(d), err)
	}
}

// Data first: a DynamoDB restore's call waits for nothing but preflight
// (not the state backend, the registries or its stack's upstream stacks);
// its import waits for all of them, and its stack for the import.
func TestRestoreCallBeforeItsStacksUpstream(t *testing.T) {
	t.Parallel()
	p, err := Build(loadRestoreConfig(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	before := func(a, b string) bool { return upstreamOf(p, b)[a] }
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"preflight", "restore.orders", true},
		{"state", "restore.orders", false},
		{"registries", "restore.orders", false},
		{"stack.net", "restore.orders", false},
		{"restore.orders", "import.orders", true},
		{"state", "import.orders", true},
		{"registries", "import.orders", false}, // no stack names a registry

		{"stack.net", "import.orders", true},
		{"import.orders", "stack.data", true},
		{"restore.orders", "stack.data", true},
		{"stack.data", "restore.uploads", true},
	} {
		if got := before(c.a, c.b); got != c.want {
			t.Errorf("%s waits for %s: %v, want %v", c.b, c.a, got, c.want)
		}
	}
	pos := map[string]int{}
	for i, s := range p.Stages {
		pos[s.Name] = i
	}
	if pos["restore.orders"] > pos["stack.net"] {
		t.Errorf("restore.orders comes after stack.net in %v", names(p))
	}
}

// upstreamOf is every stage name waits for, directly or not.
func upstreamOf(p *Pipeline, name string) map[string]bool {
	out := map[string]bool{}
	var walk func(string)
	walk = func(n string) {
		for _, d := range p.Get(n).Deps {
			if !out[d] {
				out[d] = true
				walk(d)
			}
		}
	}
	walk(name)
	return out
}

func TestRenderRestores(t *testing.T) {
	t.Parallel()
	cfg := loadRestoreConfig(t)
	dot, mm, rb := renderAll(t, cfg)
	for _, want := range []string{`"restore.orders" [label="restore.orders", shape=cylinder];`, `"restore.orders" -> "import.orders";`, `"import.orders" -> "stack.data";`, `"stack.data" -> "restore.uploads";`, `"restore.history" [label="restore.history", shape=cylinder, style=dashed];`} {
		if !strings.Contains(dot.String(), want) {
			t.Errorf("DOT lacks %s:\n%s", want, dot.String())
		}
	}
	for _, want := range []string{`restore_orders[("restore.orders")]`, "restore_orders --> import_orders", "import_orders --> stack_data", "stack_data --> restore_uploads"} {
		if !strings.Contains(mm.String(), want) {
			t.Errorf("mermaid lacks %s:\n%s", want, mm.String())
		}
	}
	text := rb.String()
	for _, want := range []string{
		"Recovery point objective: 15m0s.",
		"3. **restore.orders** (after preflight): restore DynamoDB table `orders` from the newest backup of table `orders`. Recovery point: that backup's creation time (RPO 15m0s",
		"8. **import.orders** (after state, stack.net, restore.orders): import the restored table `orders` into stack.data's state as `aws_dynamodb_table.orders`",
		"11. **restore.uploads** (after stack.data): bring the objects of S3 bucket `orders-uploads` back to the versions they had. Recovery point: 2026-11-25T06:00:00Z",
		"**restore.history** (after preflight): restore DynamoDB table `history` from the point-in-time recovery of table `orders` in eu-west-1. Recovery point: the latest restorable time",
		"Optional: only with `--with extra`.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("runbook lacks %q:\n%s", want, text)
		}
	}
	if i, j := strings.Index(text, "restore.orders"), strings.Index(text, "**stack.data**"); i < 0 || j < i {
		t.Error("the runbook lists restore.orders before stack.data")
	}
}
