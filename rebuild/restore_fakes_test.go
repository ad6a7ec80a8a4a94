package rebuild

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/checkpoint"
	ckfile "github.com/tfrebuild/tfrebuild/checkpoint/file"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/outcome"
	"github.com/tfrebuild/tfrebuild/restore"
	"github.com/tfrebuild/tfrebuild/terraform"
)

const restoreConfig = `project = "p"
rpo     = "15m"
target {
  account_id = "123456789012"
  region     = "eu-west-2"
}
state {
  bucket     = "p-tfstate"
  lock_table = "p-lock"
}
stack "shared" {
  source = "stacks/shared"
  inputs = { table = "orders" }
}
restore "orders" {
  dynamodb_table = "orders"
  from           = "backup"
  stack          = stack.shared
  address        = "aws_dynamodb_table.orders"
}
restore "uploads" {
  s3_bucket     = "orders-uploads"
  from          = "versions"
  point_in_time = "2026-01-01T06:00:00Z"
  keep_newer    = true
  stack         = stack.shared
  address       = "aws_s3_bucket.uploads"
}
`

const sharedStack = backend + `variable "table" {
  type = string
}
resource "aws_dynamodb_table" "orders" {
  name = var.table
}
resource "aws_s3_bucket" "uploads" {
  bucket = "orders-uploads"
}
`

// fakeRestorers stand in for the restore library: each call is recorded,
// and answers come from the functions set by the test.
type fakeRestorers struct {
	mu          sync.Mutex
	calls       []string
	tableOpts   []restore.TableOptions
	bucketOpts  []restore.BucketOptions
	tableResult func(restore.TableOptions) (*restore.Result, error)
	bucketRes   func(restore.BucketOptions) (*restore.Result, error)
	tablePlan   *restore.Plan
	bucketPlan  *restore.Plan
	// gone are the tables and buckets whose target reads as missing.
	gone map[string]bool
	// bad are those whose verification finds a mismatch.
	bad map[string]bool
}

type fakeTables struct{ f *fakeRestorers }
type fakeBuckets struct{ f *fakeRestorers }

func (f *fakeRestorers) Tables(string, func(string)) TableRestorer   { return fakeTables{f} }
func (f *fakeRestorers) Buckets(string, func(string)) BucketRestorer { return fakeBuckets{f} }

func (f *fakeRestorers) record(call string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call)
}

func (t fakeTables) Restore(_ context.Context, o restore.TableOptions) (*restore.Result, error) {
	t.f.record("table.Restore " + o.Table)
	t.f.mu.Lock()
	t.f.tableOpts = append(t.f.tableOpts, o)
	t.f.mu.Unlock()
	return t.f.tableResult(o)
}

func (t fakeTables) Plan(_ context.Context, o restore.TableOptions) (*restore.Plan, error) {
	t.f.record("table.Plan " + o.Table)
	p := *t.f.tablePlan
	return &p, nil
}

func (b fakeBuckets) Restore(_ context.Context, o restore.BucketOptions) (*restore.Result, error) {
	b.f.record("bucket.Restore " + o.Bucket)
	b.f.mu.Lock()
	b.f.bucketOpts = append(b.f.bucketOpts, o)
	b.f.mu.Unlock()
	return b.f.bucketRes(o)
}

func (b fakeBuckets) Plan(_ context.Context, o restore.BucketOptions) (*restore.Plan, error) {
	b.f.record("bucket.Plan " + o.Bucket)
	p := *b.f.bucketPlan
	return &p, nil
}

func (t fakeTables) Presence(_ context.Context, table string) (restore.Presence, error) {
	t.f.record("table.Presence " + table)
	return t.f.presence(table), nil
}

func (b fakeBuckets) Presence(_ context.Context, bucket, _ string) (restore.Presence, error) {
	b.f.record("bucket.Presence " + bucket)
	return b.f.presence(bucket), nil
}

func (t fakeTables) Verify(_ context.Context, o restore.TableOptions, _ *restore.Result) (*restore.Verification, error) {
	t.f.record("table.Verify " + o.Table)
	return t.f.verification(o.Table), nil
}

func (b fakeBuckets) Verify(_ context.Context, o restore.BucketOptions) (*restore.Verification, error) {
	b.f.record("bucket.Verify " + o.Bucket)
	return b.f.verification(o.Bucket), nil
}

// verification is the fakes' verdict: a mismatch for the names in bad.
func (f *fakeRestorers) verification(name string) *restore.Verification {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.bad[name] {
		return &restore.Verification{Checked: 3, Matched: 2, MismatchCount: 1, Mismatches: []string{"k is missing or differs from the source's"}}
	}
	return &restore.Verification{OK: true, Checked: 3, Matched: 3}
}

func (f *fakeRestorers) presence(name string) restore.Presence {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.gone[name] {
		return restore.TargetMissing
	}
	return restore.TargetPresent
}

// importTF is the fake Terraform that imports into a stack's state: the
// address lands in the fake's state, which the state bucket renders.
type importTF struct {
	*fakeTF
	imports   []string
	importErr error
}

func (f *importTF) Import(_ context.Context, s terraform.Stack, address, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.vars["import "+s.Name] = s.Vars
	if f.importErr != nil {
		return f.importErr
	}
	f.imports = append(f.imports, s.Name+"/"+address+"="+id)
	f.applied = append(f.applied, "import "+address)
	f.addrs[s.Name] = append(f.addrs[s.Name], address)
	return nil
}

// Apply adopts the stack's imports in the apply, as import blocks do: an
// import that fails fails the apply, and nothing of it is applied.
func (f *importTF) Apply(ctx context.Context, s terraform.Stack) (*terraform.Result, error) {
	if len(s.Imports) > 0 {
		f.mu.Lock()
		f.vars["import "+s.Name] = s.Vars
		if err := f.importErr; err != nil {
			f.applied = append(f.applied, s.Name)
			f.mu.Unlock()
			return nil, err
		}
		for _, im := range s.Imports {
			f.imports = append(f.imports, s.Name+"/"+im.Address+"="+im.ID)
			f.addrs[s.Name] = append(f.addrs[s.Name], im.Address)
		}
		f.mu.Unlock()
	}
	return f.fakeTF.Apply(ctx, s)
}

// restoreWorld is a target with one stack, a DynamoDB and an S3 restore.
type restoreWorld struct {
	*world
	itf *importTF
	rs  *fakeRestorers
}

func newRestoreWorld(t *testing.T) *restoreWorld {
	t.Helper()
	dir := t.TempDir()
	cfg := loadTree(t, dir, map[string]string{"rebuild.hcl": restoreConfig, "stacks/shared/main.tf": sharedStack})
	w := &world{t: t, cfg: cfg, cloud: &fakeCloud{noState: map[string]bool{}}, tf: newFakeTF(),
		store: &ckfile.Store{Path: filepath.Join(dir, ".tfrebuild", "checkpoint.json")}, sink: &recorder{}}
	w.cloud.tf = w.tf
	backup := time.Now().Add(-5 * time.Minute).UTC().Truncate(time.Second)
	rw := &restoreWorld{world: w, itf: &importTF{fakeTF: w.tf}, rs: &fakeRestorers{
		tableResult: func(o restore.TableOptions) (*restore.Result, error) {
			return &restore.Result{Kind: restore.KindDynamoDB, Target: o.Table, From: o.From, Source: "backup arn:b1",
				Outcome: restore.Restored, RecoveryPoint: &backup, RestoredAt: time.Now()}, nil
		},
		bucketRes: func(o restore.BucketOptions) (*restore.Result, error) {
			// Within the RPO: the time in the config is what was asked for,
			// tested through bucketOpts.
			at := time.Now().Add(-time.Minute)
			return &restore.Result{Kind: restore.KindS3, Target: o.Bucket, From: o.From, Source: "s3://" + o.Bucket + " versions",
				Outcome: restore.Restored, RecoveryPoint: &at, RestoredAt: time.Now(), Objects: &restore.ObjectCounts{Restored: 2}}, nil
		},
	}}
	return rw
}

func (w *restoreWorld) deps() Deps {
	d := w.world.deps()
	d.Connect = func(context.Context, *config.Config) (*Connection, error) {
		return &Connection{Cloud: w.cloud, States: w.cloud, Identity: bootstrap.Identity{Account: "123456789012", ARN: "arn:aws:iam::123456789012:user/t"},
			Restorers: w.rs}, nil
	}
	d.Terraform = func(context.Context, *config.Config, string, bool) (Terraform, *terraform.Binary, error) {
		return w.itf, &terraform.Binary{Version: "1.11.4", Path: "/fake/terraform"}, nil
	}
	d.Store = func(context.Context, *config.Config, bool) (checkpoint.Store, error) { return w.store, nil }
	return d
}

func (w *restoreWorld) apply(accept ...string) (*outcome.Summary, error) {
	w.t.Helper()
	c := w.common()
	c.Deps = w.deps()
	return Apply(context.Background(), w.cfg, ApplyOptions{Common: c, AcceptExisting: accept})
}

func (w *restoreWorld) callList() []string {
	w.rs.mu.Lock()
	defer w.rs.mu.Unlock()
	return append([]string(nil), w.rs.calls...)
}
