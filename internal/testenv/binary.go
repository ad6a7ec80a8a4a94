package testenv

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// Binary builds cmd/tfrebuild once per test process and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..")
		dir, err := os.MkdirTemp("", "tfrebuild-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "tfrebuild")
		cmd := exec.Command("go", "build", "-race", "-o", binPath, "./cmd/tfrebuild")
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			binErr = errors.New("go build ./cmd/tfrebuild: " + err.Error() + "\n" + string(out))
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// Result is what one tfrebuild run printed and how it exited.
type Result struct {
	Stdout, Stderr string
	Code           int
}

// Run runs tfrebuild in dir with the test's environment.
func (e *Env) Run(t testing.TB, dir string, args ...string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, Binary(t), args...)
	cmd.Dir = dir
	cmd.Env = e.Environ()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	res := Result{Stdout: out.String(), Stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		res.Code = ee.ExitCode()
	case err != nil:
		t.Fatalf("run tfrebuild %v: %v", args, err)
	}
	return res
}
