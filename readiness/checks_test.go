package readiness

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/history"
	"github.com/tfrebuild/tfrebuild/restore"
)

type fakeGuard map[string]error

func (g fakeGuard) GuardAccount(_ context.Context, a bootstrap.Account) (bootstrap.Identity, error) {
	if err := g[a.Name]; err != nil {
		return bootstrap.Identity{}, err
	}
	return bootstrap.Identity{Account: a.ID, ARN: "arn:aws:sts::" + a.ID + ":user/ci"}, nil
}

func TestCheckAccess(t *testing.T) {
	t.Parallel()
	target := bootstrap.Account{ID: "123456789012", Region: "eu-west-2"}
	mgmt := bootstrap.Account{Name: "mgmt", ID: "210987654321", Region: "eu-west-1", RoleARN: "arn:aws:iam::210987654321:role/rebuild"}
	g := fakeGuard{"mgmt": &bootstrap.GuardError{What: "account", Want: "210987654321", Got: "111111111111", Block: `account "mgmt"`, RoleARN: mgmt.RoleARN}}
	checks, passed := CheckAccess(context.Background(), g, []bootstrap.Account{target, mgmt})
	if len(checks) != 2 || checks[0].Name != "access.target" || checks[0].Verdict != OK || checks[1].Name != "access.mgmt" || checks[1].Verdict != Fail {
		t.Fatalf("checks: %+v", checks)
	}
	if !passed[""] || passed["mgmt"] {
		t.Errorf("passed: %v", passed)
	}
	if !strings.Contains(checks[1].Found, "111111111111") || !strings.Contains(checks[1].Do, "aws sts assume-role --role-arn "+mgmt.RoleARN) {
		t.Errorf("failing access: %+v", checks[1])
	}
	region := &bootstrap.GuardError{What: "region", Want: "eu-west-2", Got: "us-east-1"}
	checks, _ = CheckAccess(context.Background(), fakeGuard{"": region}, []bootstrap.Account{target})
	if checks[0].Verdict != Fail || checks[0].Do != "export AWS_REGION=eu-west-2" {
		t.Errorf("region: %+v", checks[0])
	}
}

type fakeBuckets struct {
	ours bool
	err  error
}

func (f fakeBuckets) FindBucket(context.Context, string, string) (bool, error) { return f.ours, f.err }

func TestCheckBucketName(t *testing.T) {
	t.Parallel()
	a := bootstrap.Account{ID: "123456789012", Region: "eu-west-2"}
	cases := []struct {
		name string
		f    fakeBuckets
		want Verdict
		text string
	}{
		{"free", fakeBuckets{}, OK, "is free"},
		{"ours", fakeBuckets{ours: true}, OK, "belongs to account 123456789012"},
		{"foreign", fakeBuckets{err: &bootstrap.ForeignBucketError{Bucket: "b", Region: "eu-west-2", Account: a.ID}}, Fail, "another AWS account"},
		{"unreadable", fakeBuckets{err: errors.New("throttled")}, Fail, "throttled"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := CheckBucketName(context.Background(), c.f, "state_bucket", a, "b", "state.bucket (rebuild.hcl:9)")
			if got.Verdict != c.want || !strings.Contains(got.Found, c.text) {
				t.Errorf("%+v", got)
			}
			if c.name == "foreign" && !strings.Contains(got.Do, "rebuild.hcl:9") {
				t.Errorf("do: %s", got.Do)
			}
		})
	}
}

type fakeSources struct {
	st  *restore.SourceState
	err error
}

func (f fakeSources) Tables(string) TableSources   { return f }
func (f fakeSources) Buckets(string) BucketSources { return fakeBucketSources(f) }
func (f fakeSources) CheckSource(context.Context, restore.TableOptions) (*restore.SourceState, error) {
	return f.st, f.err
}

type fakeBucketSources fakeSources

func (f fakeBucketSources) CheckSource(context.Context, restore.BucketOptions) (*restore.SourceState, error) {
	return f.st, f.err
}

func TestCheckRestore(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)
	at := func(ago time.Duration) *time.Time { v := now.Add(-ago); return &v }
	backup := &config.Restore{Name: "orders", Kind: config.RestoreDynamoDB, DynamoDBTable: "orders", From: "backup", Range: hcl.Range{Filename: "rebuild.hcl", Start: hcl.Pos{Line: 20}}}
	pitr := &config.Restore{Name: "live", Kind: config.RestoreDynamoDB, DynamoDBTable: "live", From: "point_in_time"}
	replica := &config.Restore{Name: "uploads", Kind: config.RestoreS3, S3Bucket: "up", From: "bucket", SourceBucket: "up-replica"}
	cases := []struct {
		name string
		r    *config.Restore
		src  fakeSources
		rpo  time.Duration
		want Verdict
		text string
	}{
		{"fresh backup", backup, fakeSources{st: &restore.SourceState{Source: "backup arn:b", RecoveryPoint: at(10 * time.Minute)}}, time.Hour, OK, "age 10m0s (rpo 1h0m0s: within)"},
		{"stale backup", backup, fakeSources{st: &restore.SourceState{Source: "backup arn:b", RecoveryPoint: at(2 * time.Hour)}}, time.Hour, Fail, "age 2h0m0s (rpo 1h0m0s: OVER"},
		{"pinned old backup", backup, fakeSources{st: &restore.SourceState{Source: "backup arn:b", RecoveryPoint: at(2 * time.Hour), Pinned: true}}, time.Hour, Warn, "pinned"},
		{"no rpo", backup, fakeSources{st: &restore.SourceState{Source: "backup arn:b", RecoveryPoint: at(2 * time.Hour)}}, 0, Warn, "no rpo"},
		{"no backup", backup, fakeSources{err: &restore.NoBackupError{Table: "orders", Region: "eu-west-2"}}, time.Hour, Fail, "no AVAILABLE backup"},
		{"pitr off", pitr, fakeSources{err: &restore.PITROffError{Table: "live", Source: "live", Region: "eu-west-2"}}, time.Hour, Fail, `table "live"`},
		{"pitr window short", pitr, fakeSources{st: &restore.SourceState{Source: "table live", RecoveryPoint: at(time.Minute), EarliestRestorable: at(10 * time.Minute)}}, time.Hour, Warn, "window is shorter"},
		{"pitr window long", pitr, fakeSources{st: &restore.SourceState{Source: "table live", RecoveryPoint: at(time.Minute), EarliestRestorable: at(48 * time.Hour)}}, time.Hour, OK, "within"},
		{"empty replica", replica, fakeSources{st: &restore.SourceState{Source: "s3://up-replica"}}, time.Hour, Warn, "nothing to restore"},
		{"replica behind", replica, fakeSources{st: &restore.SourceState{Source: "s3://up-replica", RecoveryPoint: at(3 * time.Hour)}}, time.Hour, Fail, "OVER"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := CheckRestore(context.Background(), c.src, c.r, bootstrap.Account{ID: "123456789012", Region: "eu-west-2"}, c.rpo, now)
			if got.Name != "restore."+c.r.Name || got.Verdict != c.want || !strings.Contains(got.Found, c.text) {
				t.Errorf("%+v", got)
			}
			if got.Verdict == Fail && got.Do == "" {
				t.Errorf("a failure without what to do: %+v", got)
			}
		})
	}
	if got := CheckRestore(context.Background(), fakeSources{err: &restore.PITROffError{Source: "live", Region: "eu-west-2"}}, pitr, bootstrap.Account{}, time.Hour, now); !strings.Contains(got.Do, "update-continuous-backups --table-name live") || !strings.Contains(got.Do, "--region eu-west-2") {
		t.Errorf("pitr off do: %s", got.Do)
	}
	// A backup too old, of a table in another account: the command names
	// the region and whose credentials to run it with.
	mgmt := bootstrap.Account{Name: "data", ID: "210987654321", Region: "eu-west-1", RoleARN: "arn:aws:iam::210987654321:role/dr"}
	got := CheckRestore(context.Background(), fakeSources{st: &restore.SourceState{Source: "backup arn:b", RecoveryPoint: at(2 * time.Hour)}}, backup, mgmt, time.Hour, now)
	if !strings.Contains(got.Do, "aws dynamodb create-backup --table-name orders --backup-name orders-now --region eu-west-1  # with credentials for account data (210987654321)") {
		t.Errorf("stale backup in another account: %s", got.Do)
	}
}

type fakeImages map[string][]string

func (f fakeImages) Tags(_ context.Context, r Repo) ([]string, bool, error) {
	if r.Name == "broken" {
		return nil, false, errors.New("AccessDenied")
	}
	tags, ok := f[r.RegistryID+"/"+r.Name]
	return tags, ok, nil
}

func TestCheckImages(t *testing.T) {
	t.Parallel()
	a := bootstrap.Account{ID: "123456789012", Region: "eu-west-2"}
	rng := hcl.Range{Filename: "rebuild.hcl", Start: hcl.Pos{Line: 7}}
	reg := &config.Registry{Label: "api", Name: "api", Images: []string{"v1", "rel-*", "v2", "v3"}, ImageRanges: []hcl.Range{rng, rng, rng, rng},
		ImagesSource: &config.ImageSource{RegistryID: "210987654321", Region: "eu-west-1", Name: "api"}}
	l := fakeImages{"/api": {"v1", "rel-7"}, "210987654321/api": {"v2"}}
	got := CheckImages(context.Background(), l, reg, a)
	want := []Verdict{OK, OK, Warn, Fail}
	for i, c := range got {
		if c.Verdict != want[i] {
			t.Errorf("%s: %s, want %s: %+v", c.Name, c.Verdict, want[i], c)
		}
	}
	if !strings.Contains(got[2].Do, "crane copy 210987654321.dkr.ecr.eu-west-1.amazonaws.com/api:v2 123456789012.dkr.ecr.eu-west-2.amazonaws.com/api:v2") {
		t.Errorf("copy: %s", got[2].Do)
	}
	if got[3].Name != "image.api:v3" || !strings.Contains(got[3].Found, "rebuild.hcl:7") {
		t.Errorf("missing: %+v", got[3])
	}
	broken := &config.Registry{Label: "b", Name: "broken", Images: []string{"v1"}, ImageRanges: []hcl.Range{rng}}
	if got := CheckImages(context.Background(), l, broken, a); got[0].Verdict != Fail || !strings.Contains(got[0].Found, "AccessDenied") {
		t.Errorf("unreadable: %+v", got)
	}
}

func TestCheckEngine(t *testing.T) {
	t.Parallel()
	ok := CheckEngine(context.Background(), func(context.Context) (string, string, error) { return "/usr/bin/terraform", "1.11.4", nil }, "terraform", "1.11.4")
	missing := CheckEngine(context.Background(), func(context.Context) (string, string, error) { return "", "", errors.New("not found") }, "opentofu", "1.12.6")
	if ok.Verdict != OK || missing.Verdict != Fail || !strings.Contains(missing.Found, "opentofu 1.12.6") {
		t.Errorf("%+v %+v", ok, missing)
	}
}

func TestCheckRTO(t *testing.T) {
	t.Parallel()
	pred := history.Prediction{Seconds: 600, Path: []string{"preflight", "stack.app"}, Runs: 3}
	cases := []struct {
		name string
		rto  time.Duration
		pred history.Prediction
		err  error
		want Verdict
		text string
	}{
		{"no history", time.Hour, history.Prediction{}, nil, Warn, "no history"},
		{"unreadable", time.Hour, history.Prediction{}, errors.New("denied"), Warn, "denied"},
		{"within", time.Hour, pred, nil, OK, "predicted RTO 10m0s from 3 runs"},
		{"over", 5 * time.Minute, pred, nil, Fail, "OVER the rto 5m0s"},
		{"no rto", 0, pred, nil, Warn, "no rto"},
	}
	for _, c := range cases {
		got := CheckRTO("dr.hcl", c.rto, c.pred, c.err)
		if got.Verdict != c.want || !strings.Contains(got.Found, c.text) {
			t.Errorf("%s: %+v", c.name, got)
		}
		if strings.Contains(got.Do, "tfrebuild") && !strings.Contains(got.Do, "--config dr.hcl") {
			t.Errorf("%s: a hint for another config: %s", c.name, got.Do)
		}
	}
}
