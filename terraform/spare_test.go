//go:build unix

package terraform

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

// engineScript writes a shell script that stands in for Terraform.
func engineScript(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "engine")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func startTestSpare(t *testing.T) *spare {
	t.Helper()
	sup := supervisor()
	if sup == "" {
		t.Fatal("the test binary does not serve as a supervisor (TestMain)")
	}
	sp, err := startSpare(sup)
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

// A spare supervisor runs the command it is handed, in its folder, with
// its environment, relays its output and its exit code, and holds the
// stack's busy lock while the command runs.
func TestASpareSupervisorRunsItsCommand(t *testing.T) {
	t.Parallel()
	dir, marks := t.TempDir(), t.TempDir()
	busy := filepath.Join(t.TempDir(), "busy")
	engine := engineScript(t, `echo "out:$TFR_X:$(pwd)"
echo err-line >&2
touch "$MARKS/started"
while [ ! -e "$MARKS/release" ]; do sleep 0.02; done
exit 3
`)
	sp := startTestSpare(t)
	var out, errOut strings.Builder
	done := make(chan error, 1)
	go func() {
		done <- sp.run(context.Background(), commandSpec{Argv: []string{engine}, Dir: dir, Busy: busy,
			Env: []string{"TFR_X=42", "MARKS=" + marks, "PATH=" + os.Getenv("PATH")}}, &out, &errOut)
	}()
	testenv.Until(t, time.Minute, "the command to start", func() bool {
		_, err := os.Stat(filepath.Join(marks, "started"))
		return err == nil
	})
	if unlock, ok := tryLock(busy); ok {
		unlock()
		t.Error("the busy lock is free while the command runs")
	}
	if err := os.WriteFile(filepath.Join(marks, "release"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	err := <-done
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Errorf("exit: %v, want code 3", err)
	}
	if want := "out:42:" + dir + "\n"; out.String() != want {
		t.Errorf("stdout %q, want %q", out.String(), want)
	}
	if errOut.String() != "err-line\n" {
		t.Errorf("stderr %q", errOut.String())
	}
	unlock, ok := tryLock(busy)
	if !ok {
		t.Error("the busy lock is held after the command")
	} else {
		unlock()
	}
}

// A cancelled context interrupts the command, as with a supervisor
// started for it.
func TestASpareIsInterruptedWithItsContext(t *testing.T) {
	t.Parallel()
	marks := t.TempDir()
	engine := engineScript(t, `trap 'echo interrupted; exit 5' INT
touch "$MARKS/started"
while :; do sleep 0.02; done
`)
	sp := startTestSpare(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out strings.Builder
	done := make(chan error, 1)
	go func() {
		done <- sp.run(ctx, commandSpec{Argv: []string{engine}, Dir: marks,
			Env: []string{"MARKS=" + marks, "PATH=" + os.Getenv("PATH")}}, &out, &strings.Builder{})
	}()
	testenv.Until(t, time.Minute, "the command to start", func() bool {
		_, err := os.Stat(filepath.Join(marks, "started"))
		return err == nil
	})
	cancel()
	err := <-done
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 5 || out.String() != "interrupted\n" {
		t.Errorf("after the cancel: %v, output %q; want the interrupt handled (code 5)", err, out.String())
	}
}

// A runner keeps one spare once it prepares work, and ends the one it
// did not use when it closes.
func TestARunnerEndsItsUnusedSpare(t *testing.T) {
	t.Parallel()
	r := &Runner{Spares: true}
	r.spares.warm()
	r.spares.mu.Lock()
	sp := r.spares.ready
	r.spares.mu.Unlock()
	if sp == nil {
		t.Fatal("no spare started")
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if sp.cmd.ProcessState == nil {
		t.Error("the unused spare was not waited for")
	}
	r.spares.warm()
	if r.spares.ready != nil {
		t.Error("a spare started after Close")
	}
}

// A spare whose stdin ends before any command (tfrebuild died, and the
// kernel closed its end) exits by itself, with 0, starting nothing.
func TestASpareEndsWhenItsStdinDoes(t *testing.T) {
	t.Parallel()
	sp := startTestSpare(t)
	sp.spec.Close()
	done := make(chan error, 1)
	go func() { done <- sp.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("the spare ended with %v, want 0", err)
		}
	case <-time.After(time.Minute): // only a failure waits this long
		_ = sp.cmd.Process.Kill()
		t.Fatal("the spare outlived its stdin")
	}
	sp.out.Close()
	sp.err.Close()
}

// A command the spare cannot run (its busy lock cannot be taken) is a
// failure, never taken for Terraform's success.
func TestASpareThatCannotRunItsCommandFails(t *testing.T) {
	t.Parallel()
	ran := filepath.Join(t.TempDir(), "ran")
	engine := engineScript(t, `touch "`+ran+`"`)
	sp := startTestSpare(t)
	var errOut strings.Builder
	err := sp.run(context.Background(), commandSpec{Argv: []string{engine}, Dir: t.TempDir(),
		Busy: filepath.Join(t.TempDir(), "no-such-folder", "busy")}, &strings.Builder{}, &errOut)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 125 {
		t.Errorf("run: %v, want exit 125", err)
	}
	if _, err := os.Stat(ran); err == nil {
		t.Error("the command ran without its busy lock")
	}
	if !strings.Contains(errOut.String(), "no-such-folder") {
		t.Errorf("stderr does not say why: %q", errOut.String())
	}
}

// A spare killed while it waited cannot be handed its command: that is
// errSpareGone (the runner then starts a supervisor for the command),
// never an error of Terraform's.
func TestASpareGoneBeforeItsCommandIsSaid(t *testing.T) {
	t.Parallel()
	sp := startTestSpare(t)
	_ = sp.cmd.Process.Kill()
	// The kernel closes its stdin's read end once it has died: wait for
	// a write to fail, as the run's would.
	testenv.Until(t, time.Minute, "the killed spare's stdin to close", func() bool {
		_, err := sp.spec.Write([]byte{})
		if err != nil {
			return true
		}
		_, err = sp.spec.Write([]byte(" "))
		return err != nil
	})
	err := sp.run(context.Background(), commandSpec{Argv: []string{"/bin/true"}}, &strings.Builder{}, &strings.Builder{})
	if !errors.Is(err, errSpareGone) {
		t.Errorf("run on a dead spare: %v, want errSpareGone", err)
	}
}
