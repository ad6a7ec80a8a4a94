package e2e

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

// #28.3: every hint is a complete command that works when pasted. A
// config with a space in its name and an optional stack: the runbook's
// command starts the rebuild with the stack; the failure's hint resumes
// it; the manual step's hint confirms it; the confirmation's hint
// finishes it, with the same scope. Each is taken from the output and run
// as printed, in a terminal where a person types "yes".
func TestEveryHintPastesBack(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, "pasteback")
	step := `
step "handoff" {
  instructions = "Tell the partner team."
  after        = [stack.join]
}
`
	config := filepath.Join(tg.dir, "dr config.hcl")
	write := func(failBlue bool) {
		t.Helper()
		if err := os.Rename(tg.write(slowStacks(tg.project, failBlue, 0)+step), config); err != nil {
			t.Fatal(err)
		}
	}
	write(true)

	rb := tg.run("runbook", "--config", "dr config.hcl", "--with", "green")
	wantCode(t, rb, 0)
	start := hint(t, rb.Stdout, "Run it with `(tfrebuild apply [^`]*)`")
	out, code := paste(t, tg, start)
	if code != 1 {
		t.Fatalf("%s: want exit 1 (blue fails), got %d:\n%s", start, code, out)
	}
	resume := hint(t, out, `run apply again to resume:\s+(tfrebuild apply [^\r\n]*)`)

	write(false)
	out, code = paste(t, tg, resume)
	if code != 3 {
		t.Fatalf("%s: want exit 3 (waiting at the step), got %d:\n%s", resume, code, out)
	}
	confirm := hint(t, out, `Then run: (tfrebuild confirm [^\r\n]*)`)
	out, code = paste(t, tg, confirm)
	if code != 0 {
		t.Fatalf("%s: exit %d:\n%s", confirm, code, out)
	}
	next := hint(t, out, `continue the rebuild with:\s+(tfrebuild apply [^\r\n]*)`)
	out, code = paste(t, tg, next)
	if code != 0 {
		t.Fatalf("%s: exit %d:\n%s", next, code, out)
	}
	for _, s := range []string{"base", "blue", "green", "join"} {
		if tg.state(s) == nil {
			t.Errorf("stack %s was not built by the pasted commands (%s, %s, %s, %s)", s, start, resume, confirm, next)
		}
	}
}

// hint is the first submatch of pattern in text, or the test fails.
func hint(t *testing.T, text, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no hint matching %q in:\n%s", pattern, text)
	}
	return strings.TrimSpace(m[1])
}

// paste runs a printed command line as a person would: in a shell, in a
// terminal (script(1) gives it one), typing "yes" when asked. It returns
// what the terminal showed and the exit code.
func paste(t *testing.T, tg *target, line string) (string, int) {
	t.Helper()
	return pasteIn(t, tg.dir, tg.env.Environ(), line)
}

// pasteIn is paste in a folder with an environment.
func pasteIn(t *testing.T, dir string, environ []string, line string) (string, int) {
	t.Helper()
	script, err := exec.LookPath("script")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("script(1) (util-linux) is needed to run a hint in a terminal")
		}
		t.Skip("no script(1)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, script, "-qec", line, "/dev/null")
	cmd.Dir = dir
	cmd.Env = append(environ, "PATH="+filepath.Dir(testenv.Binary(t))+string(os.PathListSeparator)+os.Getenv("PATH"))
	cmd.Stdin = strings.NewReader("yes\n")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("run %s: %v", line, err)
	}
	return out.String(), cmd.ProcessState.ExitCode()
}
