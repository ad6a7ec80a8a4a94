package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

// The AWS tests rebuild examples/orders-aws (real stacks, the real AWS
// provider 1.60.0 from the provider mirror) against a moto_server of their
// own: the example's resource names are fixed, so two tests cannot share an
// emulator.

const ordersAccount = testenv.Account

// orders is one test's copy of the example, in one region, against one
// emulator. Several copies (regions) may share an emulator.
type orders struct {
	t      *testing.T
	env    *testenv.Env
	moto   *testenv.Moto
	dir    string // the copy: rebuild.hcl, stacks/, modules/
	region string
	// stateAccount is the account that holds the state when it is not
	// the target's (stateIn).
	stateAccount string
}

// ordersMoto starts an emulator for one test and checks the tools.
func ordersMoto(t *testing.T) (*testenv.Moto, testenv.Mirror) {
	t.Helper()
	testenv.Require(t, "terraform", "moto_server")
	mirror := testenv.ProviderMirror(t)
	checkLockFiles(t, mirror)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	m, err := testenv.StartMoto(ctx, filepath.Join(t.TempDir(), "moto.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Stop)
	return m, mirror
}

var (
	lockOnce sync.Once
	lockErr  error
)

// checkLockFiles fails the test, saying how to fix it, when the example's
// committed lock files do not record the mirror's builds (a mirror built on
// another machine): otherwise every test would fail at init.
func checkLockFiles(t *testing.T, mirror testenv.Mirror) {
	t.Helper()
	lockOnce.Do(func() {
		files, err := filepath.Glob(filepath.Join(exampleDir(t), "stacks", "*", ".terraform.lock.hcl"))
		if err != nil || len(files) == 0 {
			lockErr = fmt.Errorf("no lock files in examples/orders-aws/stacks (%v)", err)
			return
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				lockErr = err
				return
			}
			for name, version := range testenv.MirrorProviders {
				if !strings.Contains(string(b), `"registry.terraform.io/hashicorp/`+name+`"`) {
					continue
				}
				h, err := mirror.Hash(name, version)
				if err != nil {
					lockErr = err
					return
				}
				if !strings.Contains(string(b), `"`+h+`"`) {
					lockErr = fmt.Errorf("%s does not record the mirror's %s %s (%s): the mirror was built elsewhere; run `make lock-example`", f, name, version, h)
					return
				}
			}
		}
	})
	if lockErr != nil {
		t.Fatal(lockErr)
	}
}

// newOrders copies the example and edits the copy's rebuild.hcl as an
// operator would for region: target region, state bucket, every stack's
// region input, and the emulator's URL as every stack's aws_endpoint.
func newOrders(t *testing.T, m *testenv.Moto, mirror testenv.Mirror, region string) *orders {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "orders-aws")
	copyTree(t, exampleDir(t), dir)
	cfg := filepath.Join(dir, "rebuild.hcl")
	src, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	out, err := testenv.EditConfig(src, cfg, testenv.ConfigEdit{
		Attrs:  map[string]string{"target.region": region, "state.bucket": "orders-tfstate-" + ordersAccount + "-" + region},
		Inputs: map[string]string{"region": region, "aws_endpoint": m.URL},
	})
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, cfg, string(out))
	env, err := testenv.NewEnv(m, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := env.UseMirror(mirror); err != nil {
		t.Fatal(err)
	}
	env.Vars["AWS_REGION"] = region
	return &orders{t: t, env: env, moto: m, dir: dir, region: region}
}

func exampleDir(t *testing.T) string {
	t.Helper()
	d, err := filepath.Abs(filepath.Join("..", "examples", "orders-aws"))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (o *orders) run(args ...string) testenv.Result {
	o.t.Helper()
	return o.env.Run(o.t, o.dir, args...)
}

// apply rebuilds everything, green included, and fails the test otherwise.
func (o *orders) apply() testenv.Result {
	o.t.Helper()
	res := o.run("apply", "--yes", "--with", "green")
	wantCode(o.t, res, 0)
	return res
}

func (o *orders) awsConfig() aws.Config {
	return aws.Config{Region: o.region, BaseEndpoint: aws.String(o.moto.URL),
		Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", "")}
}

func (o *orders) s3() *s3.Client {
	return s3.NewFromConfig(o.awsConfig(), func(opt *s3.Options) { opt.UsePathStyle = true })
}

// stateS3 is an S3 client of the account that holds the state.
func (o *orders) stateS3() *s3.Client {
	return s3.NewFromConfig(o.stateConfig(), func(opt *s3.Options) { opt.UsePathStyle = true })
}

func (o *orders) dynamodb() *dynamodb.Client { return dynamodb.NewFromConfig(o.awsConfig()) }
func (o *orders) ssm() *ssm.Client           { return ssm.NewFromConfig(o.awsConfig()) }

func (o *orders) uploadsBucket() string { return "orders-uploads-" + ordersAccount + "-" + o.region }

// The parameters the example's stacks write, by the stack that owns them.
var ordersParams = map[string][]string{
	"shared": {"/orders/shared/partner-api-key", "/orders/shared/uploads-bucket", "/orders/shared/orders-table"},
	"blue":   {"/orders/blue/config", "/orders/blue/url"},
	"green":  {"/orders/green/config", "/orders/green/url"},
	"link":   {"/orders/link/routes", "/orders/link/partner-api-key"},
}

// param reads a parameter, decrypted; ok is false when it does not exist.
func (o *orders) param(name string) (value string, version int64, ok bool) {
	o.t.Helper()
	out, err := o.ssm().GetParameter(context.Background(), &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
	if err != nil {
		return "", 0, false
	}
	return aws.ToString(out.Parameter.Value), out.Parameter.Version, true
}

// versions reads the version of every parameter of the example.
func (o *orders) versions() map[string]int64 {
	o.t.Helper()
	out := map[string]int64{}
	for _, names := range ordersParams {
		for _, n := range names {
			_, v, ok := o.param(n)
			if !ok {
				o.t.Fatalf("parameter %s does not exist in %s", n, o.region)
			}
			out[n] = v
		}
	}
	return out
}

// statusStages reads `status --json`: each stage's status and times.
type stageTimes struct {
	Name       string     `json:"name"`
	Status     string     `json:"status"`
	StartedAt  *time.Time `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
}

func (o *orders) status() map[string]stageTimes {
	o.t.Helper()
	res := o.run("status", "--json")
	wantCode(o.t, res, 0)
	var st struct {
		Stages []stageTimes `json:"stages"`
	}
	if err := json.Unmarshal([]byte(res.Stdout), &st); err != nil {
		o.t.Fatalf("status --json: %v\n%s", err, res.Stdout)
	}
	out := map[string]stageTimes{}
	for _, s := range st.Stages {
		out[s.Name] = s
	}
	return out
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() && (d.Name() == ".tfrebuild" || d.Name() == ".terraform") {
			return filepath.SkipDir
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatalf("copy the example: %v", err)
	}
}

// fileContents maps every file under dir (relative path) to its content.
func fileContents(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// lines returns the lines of text that contain every one of words.
func lines(text string, words ...string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		all := true
		for _, w := range words {
			all = all && strings.Contains(l, w)
		}
		if all {
			out = append(out, l)
		}
	}
	return out
}
