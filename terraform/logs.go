package terraform

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// Each run of a stack (an attempt) writes a log of its own, so that a
// resume that finds nothing to do does not wipe the log of the apply that
// failed before it. terraform.log is a symlink to the latest one.

// keepLogs is how many attempt logs a stack keeps.
const keepLogs = 20

const logPrefix, logSuffix = "terraform-", ".log"

// openAttemptLog creates the log of a new attempt in the work folder,
// points terraform.log at it and drops the oldest beyond keepLogs.
func openAttemptLog(wd Workdir, now time.Time) (*os.File, error) {
	stamp := now.UTC().Format("20060102T150405Z")
	var f *os.File
	var err error
	for i := 0; i < 100; i++ {
		name := logPrefix + stamp + logSuffix
		if i > 0 {
			name = fmt.Sprintf("%s%s-%d%s", logPrefix, stamp, i, logSuffix)
		}
		f, err = os.OpenFile(filepath.Join(string(wd), name), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if !errors.Is(err, os.ErrExist) {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("create the Terraform log in %s: %w", wd, err)
	}
	link := wd.LogFile()
	tmp := link + ".tmp"
	_ = os.Remove(tmp)
	if err := os.Symlink(filepath.Base(f.Name()), tmp); err == nil {
		_ = os.Rename(tmp, link)
	}
	pruneLogs(wd)
	return f, nil
}

// AttemptLogs lists a stack's attempt logs, oldest first.
func (w Workdir) AttemptLogs() []string {
	entries, _ := os.ReadDir(string(w))
	var out []string
	for _, e := range entries {
		if n := e.Name(); strings.HasPrefix(n, logPrefix) && strings.HasSuffix(n, logSuffix) && e.Type().IsRegular() {
			out = append(out, filepath.Join(string(w), n))
		}
	}
	sort.Slice(out, func(i, j int) bool { return logOrder(out[i]) < logOrder(out[j]) })
	return out
}

// logOrder sorts terraform-STAMP.log before terraform-STAMP-1.log.
func logOrder(path string) string {
	n := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), logPrefix), logSuffix)
	stamp, seq, _ := strings.Cut(n, "-")
	return fmt.Sprintf("%s-%03s", stamp, seq)
}

func pruneLogs(wd Workdir) {
	logs := wd.AttemptLogs()
	for len(logs) > keepLogs {
		_ = os.Remove(logs[0])
		logs = logs[1:]
	}
}

// attemptLog is a stack's log for this run, created on its first write:
// a run that starts no Terraform process for a stack (outputs read from
// the state) leaves its logs and terraform.log as they were.
type attemptLog struct {
	mu sync.Mutex
	wd Workdir
	f  *os.File
}

func (l *attemptLog) open() (*os.File, error) {
	if l.f == nil {
		f, err := openAttemptLog(l.wd, time.Now())
		if err != nil {
			return nil, err
		}
		l.f = f
	}
	return l.f, nil
}

func (l *attemptLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, err := l.open()
	if err != nil {
		return 0, err
	}
	return f.Write(p)
}

// Name is the path of this attempt's log, creating it if need be.
func (l *attemptLog) Name() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if f, err := l.open(); err == nil {
		return f.Name()
	}
	return l.wd.LogFile()
}

func (l *attemptLog) Sync() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	return l.f.Sync()
}

func (l *attemptLog) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}
