package testenv

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Account is the account moto answers for by default.
const Account = "123456789012"

var (
	sharedOnce sync.Once
	shared     *Moto
	sharedErr  error
	sharedDir  string
)

// Main runs a package's tests and stops the shared moto_server afterwards.
// Use it as: func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }
func Main(m *testing.M) int {
	code := m.Run()
	shared.Stop()
	if sharedDir != "" {
		os.RemoveAll(sharedDir)
	}
	return code
}

// Require fails the test when a tool is missing under CI=true, and skips it
// elsewhere, saying what to install.
func Require(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			msg := fmt.Sprintf("%s is not on PATH; this test runs the real %s (see README: set-up)", tool, tool)
			if os.Getenv("CI") == "true" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
}

// SharedMoto returns the package's moto_server, starting it on first use.
// Tests sharing it must use resource names of their own.
func SharedMoto(t testing.TB) *Moto {
	t.Helper()
	Require(t, "moto_server")
	sharedOnce.Do(func() {
		sharedDir, sharedErr = os.MkdirTemp("", "tfrebuild-moto-")
		if sharedErr == nil {
			shared, sharedErr = StartMoto(context.Background(), filepath.Join(sharedDir, "moto.log"))
		}
	})
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return shared
}

// Env is one test's isolated environment: variables for the AWS SDK and
// Terraform pointing at moto, and directories of its own.
type Env struct {
	Moto *Moto
	Dir  string
	Vars map[string]string
}

// New gives a test its own environment against the shared moto_server.
func New(t testing.TB) *Env {
	t.Helper()
	m := SharedMoto(t)
	e, err := NewEnv(m, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// NewEnv builds an isolated environment in dir against m: test
// credentials, the emulator's endpoint, a Terraform CLI config of its own.
func NewEnv(m *Moto, dir string) (*Env, error) {
	cli := filepath.Join(dir, "terraformrc")
	if err := os.WriteFile(cli, []byte("disable_checkpoint = true\n"), 0o644); err != nil {
		return nil, err
	}
	return &Env{Moto: m, Dir: dir, Vars: map[string]string{
		"AWS_ACCESS_KEY_ID":           "testing",
		"AWS_SECRET_ACCESS_KEY":       "testing",
		"AWS_REGION":                  "eu-west-2",
		"AWS_ENDPOINT_URL":            m.URL,
		"AWS_CONFIG_FILE":             filepath.Join(dir, "aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "aws-credentials"),
		"AWS_EC2_METADATA_DISABLED":   "true",
		"TF_CLI_CONFIG_FILE":          cli,
		"CHECKPOINT_DISABLE":          "1",
		"HOME":                        dir,
	}}, nil
}

// Environ is the process environment for a command run in this test: the
// machine's, less any AWS_ and TF_ variables, plus the test's own.
func (e *Env) Environ() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AWS_") || strings.HasPrefix(k, "TF_") || k == "HOME" {
			continue
		}
		out = append(out, kv)
	}
	for k, v := range e.Vars {
		out = append(out, k+"="+v)
	}
	return out
}
