package terraform

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// StackError is a failed Terraform command, with the error lines from its
// log and where the whole log is.
type StackError struct {
	Command string
	Lines   []string
	LogPath string
	Err     error
	// Stack names the stack; Hint says what to do, when tfrebuild knows.
	Stack string
	Hint  string
	// Errored is the state Terraform could not save (errored.tfstate),
	// kept in the work folder; PushCommand pushes it back to the backend.
	Errored     string
	PushCommand string
	// Program is terraform or tofu, for the message.
	Program string
}

func (e *StackError) Error() string {
	prog := e.Program
	if prog == "" {
		prog = "terraform"
	}
	msg := prog + " " + e.Command + " failed"
	if len(e.Lines) > 0 {
		msg += ":\n    " + strings.Join(e.Lines, "\n    ")
	}
	if e.Errored != "" {
		msg += "\n    " + prog + " could not save the state; it wrote it to " + e.Errored +
			".\n    The next apply pushes it back before the stack runs again when the stored state allows it; or push it yourself:\n      " + e.PushCommand
	}
	if e.Hint != "" {
		msg += "\n    " + e.Hint
	}
	return msg + "\n    (full log: " + e.LogPath + ")"
}

func (e *StackError) Unwrap() error { return e.Err }

func (r *Runner) fail(h *handle, command string, err error) error {
	var already *StackError
	if errors.As(err, &already) {
		return err // init's, failing inside another command (afterInit)
	}
	path := h.log.Name()
	errored, _ := h.rescueErrored()
	if errored == "" && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return fmt.Errorf("%s %s interrupted: %w (log: %s)", r.Binary.Program(), command, err, path)
	}
	_ = h.log.Sync()
	se := &StackError{Command: command, Lines: errorLines(path), LogPath: path, Err: err, Stack: h.stack.Name, Program: r.Binary.Program()}
	if errored != "" {
		se.Errored = errored
		se.PushCommand = r.Command(h.stack.Name, "state", "push", errored)
	}
	return se
}

// Command is a Terraform command as a user would type it for a stack's
// work folder: its data dir and its working copy.
func (r *Runner) Command(stack string, args ...string) string {
	wd := r.Workdir(stack)
	bin := "terraform"
	if r.Binary != nil {
		bin = r.Binary.Path
	}
	dir := wd.CopyDir()
	r.mu.Lock()
	if h := r.handles[stack]; h != nil {
		dir = h.dir
	}
	r.mu.Unlock()
	return fmt.Sprintf("TF_DATA_DIR=%s %s -chdir=%s %s", shellQuote(wd.DataDir()), shellQuote(bin), shellQuote(dir), strings.Join(quoteAll(args), " "))
}

func quoteAll(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = shellQuote(a)
	}
	return out
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@+") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// rescueErrored moves an errored.tfstate Terraform wrote into the working
// copy to the work folder, under a name of its own, and returns its path.
func (h *handle) rescueErrored() (string, error) {
	return rescueErroredFile(h.wd, h.dir)
}

// rescueErrored runs before a working copy is replaced, in case a run
// died before it could move the file.
func rescueErrored(wd Workdir, copyRoot string) error {
	var errs []error
	_ = filepath.WalkDir(copyRoot, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == "errored.tfstate" {
			_, err := rescueErroredFile(wd, filepath.Dir(path))
			errs = append(errs, err)
		}
		return nil
	})
	return errors.Join(errs...)
}

func rescueErroredFile(wd Workdir, dir string) (string, error) {
	src := filepath.Join(dir, "errored.tfstate")
	if _, err := os.Stat(src); err != nil {
		return "", nil
	}
	dst := filepath.Join(string(wd), "errored-"+time.Now().UTC().Format("20060102T150405.000Z")+".tfstate")
	if err := os.Rename(src, dst); err != nil {
		return src, fmt.Errorf("keep %s in the work folder: %w", src, err)
	}
	_ = os.Chmod(dst, 0o600)
	return dst, nil
}

// errorLines picks Terraform's error block out of a log: from the first
// "Error:" line, at most a dozen lines, without box-drawing.
func errorLines(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	data, _ := io.ReadAll(io.LimitReader(f, 1<<20))
	text := string(data)
	if i := strings.LastIndex(text, logMarker); i >= 0 {
		text = text[i:]
	}
	var out []string
	in := false
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(strings.TrimLeft(line, "│╷╵ "))
		if strings.HasPrefix(line, "Error:") {
			in = true
		}
		if in && line != "" {
			out = append(out, line)
		}
		if len(out) >= 12 {
			break
		}
	}
	return out
}
