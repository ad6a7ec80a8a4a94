package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	ckddb "github.com/tfrebuild/tfrebuild/checkpoint/dynamodb"
	ckfile "github.com/tfrebuild/tfrebuild/checkpoint/file"
	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// target is one test's rebuild: its own project, bucket and table names on
// the shared emulator, and a config directory of its own.
type target struct {
	t       *testing.T
	env     *testenv.Env
	dir     string
	project string
	tofu    string // the OpenTofu binary the target runs on; empty: Terraform
}

func newTarget(t *testing.T, project string) *target {
	t.Helper()
	testenv.Require(t, "terraform", "moto_server")
	env := testenv.New(t)
	return &target{t: t, env: env, dir: t.TempDir(), project: project}
}

func (tg *target) bucket() string { return tg.project + "-tfstate-123456789012-eu-west-2" }

// header is the part of rebuild.hcl every test shares.
func (tg *target) header(account string) string {
	return fmt.Sprintf(`project = %q
rto     = "30m"
%starget {
  account_id = %q
  region     = "eu-west-2"
}
state {
  bucket                  = %q
  lock_table              = "%s-lock"
  deny_insecure_transport = false
}
`, tg.project, tg.terraformBlock(), account, tg.bucket(), tg.project)
}

// write writes rebuild.hcl with the given blocks after the header; stack
// sources may use {{stacks}} for the testdata stacks directory.
func (tg *target) write(body string) string {
	tg.t.Helper()
	stacks, err := filepath.Abs(filepath.Join("testdata", "stacks"))
	if err != nil {
		tg.t.Fatal(err)
	}
	src := tg.header(testenv.Account) + strings.ReplaceAll(body, "{{stacks}}", stacks)
	path := filepath.Join(tg.dir, "rebuild.hcl")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		tg.t.Fatal(err)
	}
	return path
}

func (tg *target) run(args ...string) testenv.Result {
	tg.t.Helper()
	return tg.env.Run(tg.t, tg.dir, args...)
}

func (tg *target) checkpoint() *checkpoint.Checkpoint {
	tg.t.Helper()
	c, err := (&ckfile.Store{Path: filepath.Join(tg.dir, ".tfrebuild", "checkpoint.json")}).Load(context.Background())
	if err != nil || c == nil {
		tg.t.Fatalf("load checkpoint: %v", err)
	}
	return c
}

func (tg *target) checkpointText() string {
	tg.t.Helper()
	b, err := os.ReadFile(filepath.Join(tg.dir, ".tfrebuild", "checkpoint.json"))
	if err != nil {
		tg.t.Fatal(err)
	}
	return string(b)
}

func (tg *target) s3() *s3.Client {
	cfg := tg.awsConfig()
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
}

// tfState is the part of a Terraform state file the tests look at.
type tfState struct {
	Serial  int    `json:"serial"`
	Lineage string `json:"lineage"`
	Raw     string `json:"-"`
	Outputs map[string]struct {
		Value any `json:"value"`
	} `json:"outputs"`
	Resources []struct {
		Type string `json:"type"`
		Name string `json:"name"`
	} `json:"resources"`
}

// state reads a stack's state object from the bucket; nil when absent.
func (tg *target) state(stack string) *tfState {
	tg.t.Helper()
	out, err := tg.s3().GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(tg.bucket()),
		Key: aws.String(tg.project + "/" + stack + "/terraform.tfstate")})
	if err != nil {
		return nil
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		tg.t.Fatal(err)
	}
	st := &tfState{Raw: string(b)}
	if err := json.Unmarshal(b, st); err != nil {
		tg.t.Fatalf("state of %s: %v", stack, err)
	}
	return st
}

func (tg *target) bucketExists() bool {
	_, err := tg.s3().HeadBucket(context.Background(), &s3.HeadBucketInput{Bucket: aws.String(tg.bucket())})
	return err == nil
}

func sha256hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// treeSnapshot lists every file under dir with its size and mtime.
func treeSnapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		out[p] = fmt.Sprintf("%d %s", info.Size(), info.ModTime().Format(time.RFC3339Nano))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func wantCode(t *testing.T, res testenv.Result, code int) {
	t.Helper()
	if res.Code != code {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", res.Code, code, res.Stdout, res.Stderr)
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// assumeOther returns an S3 client acting as account 111111111111.
func assumeOther(t *testing.T, tg *target) *s3.Client {
	t.Helper()
	cfg := tg.awsConfig()
	out, err := sts.NewFromConfig(cfg).AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::111111111111:role/x"), RoleSessionName: aws.String("e2e")})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	cfg.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
}

// peek reads the checkpoint while a run may be writing it; nil if none yet.
func (tg *target) peek(store string) *checkpoint.Checkpoint {
	var s checkpoint.Store = &ckfile.Store{Path: filepath.Join(tg.dir, ".tfrebuild", "checkpoint.json")}
	if store == "dynamodb" {
		db := dynamodb.NewFromConfig(tg.awsConfig())
		s = &ckddb.Store{DB: db, Table: tg.project + "-lock", Key: tg.project + "/123456789012/eu-west-2"}
	}
	c, err := s.Load(context.Background())
	if err != nil {
		return nil
	}
	return c
}

// start runs tfrebuild in the background, for tests that crash or
// interrupt it; stderr collects what it printed.
func (tg *target) start(args ...string) (*exec.Cmd, *strings.Builder) {
	tg.t.Helper()
	cmd := exec.Command(testenv.Binary(tg.t), args...)
	cmd.Dir, cmd.Env = tg.dir, append(tg.env.Environ(), "E2E_MARKERS="+tg.markers())
	stderr := &strings.Builder{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		tg.t.Fatal(err)
	}
	return cmd, stderr
}

// markers is where the app stack's provisioner drops a file named after
// its colour when its apply is under way (and its state lock is held).
func (tg *target) markers() string { return filepath.Join(tg.dir, "markers") }

// waitApplying waits until the app stack of the given colour is in the
// middle of its apply: a condition, not a delay, so that a loaded machine
// cannot make a crash test kill too early.
func waitApplying(t *testing.T, tg *target, colour string) {
	t.Helper()
	testenv.Until(t, 3*time.Minute, "the "+colour+" stack to start its apply", func() bool {
		_, err := os.Stat(filepath.Join(tg.markers(), colour))
		return err == nil
	})
}

// awsConfig is an SDK config for the test's own checks against moto, as
// the target account.
func (tg *target) awsConfig() aws.Config {
	return aws.Config{Region: "eu-west-2", BaseEndpoint: aws.String(tg.env.Moto.URL),
		Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", "")}
}
