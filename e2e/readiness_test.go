package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

// readinessJSON is the part of `readiness --json` the tests read.
type readinessJSON struct {
	Ready  bool `json:"ready"`
	Checks []struct {
		Name    string `json:"name"`
		Verdict string `json:"verdict"`
		Found   string `json:"found"`
		Do      string `json:"do"`
	} `json:"checks"`
}

func (r readinessJSON) verdicts() map[string]string {
	out := map[string]string{}
	for _, c := range r.Checks {
		out[c.Name] = c.Verdict
	}
	return out
}

func (r readinessJSON) found(name string) string {
	for _, c := range r.Checks {
		if c.Name == name {
			return c.Found + " | do: " + c.Do
		}
	}
	return ""
}

// readinessRestores: a backup restore, a point-in-time one from a table
// with PITR on; %s is the table prefix.
const readinessRestores = `
restore "orders" {
  dynamodb_table = "%[1]s-orders"
  from           = "backup"
  stack          = stack.data
  address        = "aws_dynamodb_table.orders"
}
restore "live" {
  dynamodb_table = "%[1]s-live-copy"
  source_table   = "%[1]s-live"
  from           = "point_in_time"
  stack          = stack.data
  address        = "aws_dynamodb_table.orders"
}
registry "api" {
  name   = "%[1]s-api"
  images = ["v1", "%[1]s-api:rel-*"]
}
`

// A config with a fresh backup, PITR on and its images present is ready;
// once the RPO has passed since the newest backup it is not, naming the
// restore and the backup's age; a source with PITR off fails, naming it;
// a declared image missing fails. None of it writes to the emulator.
func TestReadinessRestoresImagesAndNoWrites(t *testing.T) {
	rt := newRestoreTarget(t, "rdy")
	p := rt.project
	ctx := context.Background()
	db := rt.ddb()
	rt.makeTable("a", "b")
	bk, err := db.CreateBackup(ctx, &dynamodb.CreateBackupInput{TableName: aws.String(rt.table), BackupName: aws.String("nightly")})
	if err != nil {
		t.Fatal(err)
	}
	createdAt := aws.ToTime(bk.BackupDetails.BackupCreationDateTime)
	readinessTable(t, db, p+"-live", true)
	readinessTable(t, db, p+"-nopitr", false)
	repos := ecr.NewFromConfig(rt.awsConfig())
	if _, err := repos.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(p + "-api")}); err != nil {
		t.Fatal(err)
	}
	for _, tag := range []string{"v1", "rel-7"} {
		manifest := fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"digest":"sha256:%064d","size":1,"mediaType":"application/vnd.docker.container.image.v1+json"},"layers":[],"tag":%q}`, 0, tag)
		if _, err := repos.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String(p + "-api"), ImageTag: aws.String(tag), ImageManifest: aws.String(manifest)}); err != nil {
			t.Fatal(err)
		}
	}
	before := emulatorSnapshot(t, rt.target)

	rt.config("1h", fmt.Sprintf(readinessRestores, p))
	res := rt.run("readiness", "--json", "ready.json", "--markdown", "ready.md")
	wantCode(t, res, 0)
	rep := readReadiness(t, filepath.Join(rt.dir, "ready.json"))
	v := rep.verdicts()
	for _, name := range []string{"access.target", "state_bucket", "restore.orders", "restore.live", "image.api:v1", "image.api:rel-*", "rto"} {
		if _, ok := v[name]; !ok {
			t.Errorf("check %s missing from the JSON: %v", name, v)
		}
	}
	if !rep.Ready || v["restore.orders"] != "ok" || v["restore.live"] == "fail" || v["access.target"] != "ok" || v["state_bucket"] != "ok" {
		t.Errorf("not ready:\n%s\n%s", res.Stdout, res.Stderr)
	}
	if md := readFile(t, filepath.Join(rt.dir, "ready.md")); !strings.Contains(md, "| `restore.orders` |") {
		t.Errorf("markdown:\n%s", md)
	}

	// The RPO passes: make it shorter than the backup's measured age.
	testenv.Until(t, time.Minute, "the backup to be older than 2s", func() bool { return time.Since(createdAt) > 2*time.Second })
	rt.config("1s", fmt.Sprintf(readinessRestores, p))
	res = rt.run("readiness", "--json", "stale.json")
	wantCode(t, res, 1)
	rep = readReadiness(t, filepath.Join(rt.dir, "stale.json"))
	if rep.Ready || rep.verdicts()["restore.orders"] != "fail" || !strings.Contains(rep.found("restore.orders"), "age ") ||
		!strings.Contains(rep.found("restore.orders"), aws.ToString(bk.BackupDetails.BackupArn)) {
		t.Errorf("stale backup: %s", rep.found("restore.orders"))
	}
	if !strings.Contains(res.Stderr, "restore.orders") {
		t.Errorf("stderr does not name the failing restore:\n%s", res.Stderr)
	}

	// PITR off on the source, and an image nobody pushed.
	rt.config("1h", fmt.Sprintf(readinessRestores, p)+fmt.Sprintf(`
restore "nopitr" {
  dynamodb_table = "%[1]s-nopitr-copy"
  source_table   = "%[1]s-nopitr"
  from           = "point_in_time"
  stack          = stack.data
  address        = "aws_dynamodb_table.orders"
}
registry "web" {
  name   = "%[1]s-web"
  images = ["v9"]
}
`, p))
	res = rt.run("readiness", "--json", "off.json")
	wantCode(t, res, 1)
	rep = readReadiness(t, filepath.Join(rt.dir, "off.json"))
	t.Logf("readiness:\n%s\n%s", res.Stdout, res.Stderr)
	if f := rep.found("restore.nopitr"); rep.verdicts()["restore.nopitr"] != "fail" || !strings.Contains(f, p+"-nopitr") || !strings.Contains(f, "update-continuous-backups") {
		t.Errorf("PITR off: %s", f)
	}
	if rep.verdicts()["image.web:v9"] != "fail" || rep.verdicts()["restore.orders"] != "ok" {
		t.Errorf("missing image: %v", rep.verdicts())
	}
	for _, name := range []string{"restore.nopitr", "image.web:v9"} {
		if !strings.Contains(res.Stderr, name) {
			t.Errorf("stderr does not name %s:\n%s", name, res.Stderr)
		}
	}

	if after := emulatorSnapshot(t, rt.target); !slices.Equal(before, after) {
		t.Errorf("readiness wrote to the emulator:\nbefore %v\nafter  %v", before, after)
	}
	if _, err := os.Stat(filepath.Join(rt.dir, ".tfrebuild")); !os.IsNotExist(err) {
		t.Errorf("readiness wrote %s (stat: %v)", filepath.Join(rt.dir, ".tfrebuild"), err)
	}
}

func readinessTable(t *testing.T, db *dynamodb.Client, name string, pitr bool) {
	t.Helper()
	ctx := context.Background()
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(name), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: ddbtypes.KeyTypeHash}}})
	if err != nil {
		t.Fatal(err)
	}
	if pitr {
		if _, err := db.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: aws.String(name),
			PointInTimeRecoverySpecification: &ddbtypes.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true)}}); err != nil {
			t.Fatal(err)
		}
	}
}

func readReadiness(t *testing.T, path string) readinessJSON {
	t.Helper()
	var r readinessJSON
	if err := json.Unmarshal([]byte(readFile(t, path)), &r); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return r
}

// emulatorSnapshot lists what the emulator holds, in both accounts the
// tests use: buckets with their object versions, tables, backups and
// repositories with their images.
func emulatorSnapshot(t *testing.T, tg *target) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	c := tg.s3()
	buckets, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range buckets.Buckets {
		out = append(out, "bucket "+aws.ToString(b.Name))
		vs, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: b.Name})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs.Versions {
			out = append(out, fmt.Sprintf("object %s/%s %s", aws.ToString(b.Name), aws.ToString(v.Key), aws.ToString(v.VersionId)))
		}
		for _, m := range vs.DeleteMarkers {
			out = append(out, fmt.Sprintf("marker %s/%s %s", aws.ToString(b.Name), aws.ToString(m.Key), aws.ToString(m.VersionId)))
		}
	}
	db := dynamodb.NewFromConfig(tg.awsConfig())
	tables, err := db.ListTables(ctx, &dynamodb.ListTablesInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range tables.TableNames {
		out = append(out, "table "+name)
	}
	backups, err := db.ListBackups(ctx, &dynamodb.ListBackupsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range backups.BackupSummaries {
		out = append(out, "backup "+aws.ToString(b.BackupArn))
	}
	repos := ecr.NewFromConfig(tg.awsConfig())
	rs, err := repos.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs.Repositories {
		out = append(out, "repository "+aws.ToString(r.RepositoryName))
		imgs, err := repos.ListImages(ctx, &ecr.ListImagesInput{RepositoryName: r.RepositoryName})
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range imgs.ImageIds {
			out = append(out, "image "+aws.ToString(r.RepositoryName)+":"+aws.ToString(i.ImageTag))
		}
	}
	slices.Sort(out)
	return out
}

// With --plan, a bucket the stack would create whose name another account
// holds fails, naming it; without that collision the same plan passes.
// Nothing is written to the emulator.
func TestReadinessPlanBucketNameTakenByAnotherAccount(t *testing.T) {
	rt := newRestoreTarget(t, "rdyplan")
	other := assumeOther(t, rt.target)
	ctx := context.Background()
	if _, err := other.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(rt.bucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest2}}); err != nil {
		t.Fatal(err)
	}
	before := emulatorSnapshot(t, rt.target)
	rt.config("1h", "")
	res := rt.run("readiness", "--plan", "--json", "plan.json")
	wantCode(t, res, 1)
	rep := readReadiness(t, filepath.Join(rt.dir, "plan.json"))
	name := "global_name.s3://" + rt.bucket
	if f := rep.found(name); rep.verdicts()[name] != "fail" || !strings.Contains(f, "another AWS account") {
		t.Errorf("%s: %q\n%s\n%s", name, f, res.Stdout, res.Stderr)
	}
	if !strings.Contains(res.Stderr, name) {
		t.Errorf("stderr does not name %s:\n%s", name, res.Stderr)
	}
	for _, c := range []string{"engine", "provider.registry.terraform.io/hashicorp/aws@1.60.0"} {
		if rep.verdicts()[c] != "ok" {
			t.Errorf("%s: %s", c, rep.found(c))
		}
	}

	// A free name passes.
	rt.bucket = rt.project + "-free-uploads"
	rt.config("1h", "")
	res = rt.run("readiness", "--plan", "--json", "free.json")
	wantCode(t, res, 0)
	rep = readReadiness(t, filepath.Join(rt.dir, "free.json"))
	if v := rep.verdicts()["global_name.s3://"+rt.bucket]; v != "ok" {
		t.Errorf("free name: %s %s\n%s", v, rep.found("global_name.s3://"+rt.bucket), res.Stderr)
	}
	if after := emulatorSnapshot(t, rt.target); !slices.Equal(before, after) {
		t.Errorf("readiness --plan wrote to the emulator:\nbefore %v\nafter  %v", before, after)
	}
	if _, err := os.Stat(filepath.Join(rt.dir, ".tfrebuild")); !os.IsNotExist(err) {
		t.Errorf("readiness wrote %s (stat: %v)", filepath.Join(rt.dir, ".tfrebuild"), err)
	}
}
