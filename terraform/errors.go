package terraform

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// StackError is a failed Terraform command, with the error lines from its
// log and where the whole log is.
type StackError struct {
	Command string
	Lines   []string
	LogPath string
	Err     error
}

func (e *StackError) Error() string {
	msg := "terraform " + e.Command + " failed"
	if len(e.Lines) > 0 {
		msg += ":\n    " + strings.Join(e.Lines, "\n    ")
	}
	return msg + "\n    (full log: " + e.LogPath + ")"
}

func (e *StackError) Unwrap() error { return e.Err }

func (r *Runner) fail(h *handle, command string, err error) error {
	path := h.wd.LogFile()
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("terraform %s interrupted: %w (log: %s)", command, err, path)
	}
	_ = h.log.Sync()
	return &StackError{Command: command, Lines: errorLines(path), LogPath: path, Err: err}
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
