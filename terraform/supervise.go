package terraform

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Terraform runs under a supervisor: a second copy of tfrebuild's own
// executable, started with the hidden command SuperviseCommand, which
// starts Terraform in a process group of its own and outlives tfrebuild.
// When tfrebuild dies, by kill -9 included (the supervisor polls its
// parent), the supervisor interrupts Terraform, which stops, saves its
// state and releases its lock, then kills Terraform's whole process group:
// providers, provisioner shells and what they started. Pdeathsig could
// not do this: it has no grace period and no process group, it fires when
// the forking thread (not the process) dies, and macOS has none.

// SuperviseCommand is the hidden command under which a program serves as
// Terraform's supervisor (ServeSupervisor).
const SuperviseCommand = "__supervise"

const (
	// interruptGrace is how long Terraform has to stop after tfrebuild
	// interrupted it (Ctrl-C) before its process group is killed.
	interruptGrace = time.Minute
	// orphanGrace is the same after tfrebuild died: Terraform needs a
	// second or two to save its state, more only while the cloud finishes
	// a create it cannot cancel.
	orphanGrace = 20 * time.Second
	// idleLimit is how long a run waits for a dead run's Terraform to
	// stop in a stack's work folder.
	idleLimit = interruptGrace + 30*time.Second
	// parentPoll is how often the supervisor checks that tfrebuild lives.
	parentPoll = 200 * time.Millisecond
)

// selfSupervises is set by ServeSupervisor: this program's own executable
// can supervise Terraform.
var selfSupervises atomic.Bool

// ServeSupervisor is called first thing in main by a program whose
// executable may supervise its Terraform processes. When args (os.Args[1:])
// start with SuperviseCommand, the process is a supervisor: it supervises
// and returns the exit code for main to exit with, and true. Otherwise it
// records that the runner may start this executable as the supervisor, and
// returns false. A program that never calls it runs Terraform directly,
// interrupted on the program's death where the system allows (Linux).
func ServeSupervisor(args []string) (int, bool) {
	if len(args) > 0 && args[0] == SuperviseCommand {
		return supervise(args[1:]), true
	}
	selfSupervises.Store(canSupervise)
	return 0, false
}

// supervisor is the executable to start as Terraform's supervisor, or ""
// to start Terraform directly.
func supervisor() string {
	if !selfSupervises.Load() {
		return ""
	}
	return executable()
}

var executable = sync.OnceValue(func() string {
	p, err := os.Executable()
	if err != nil {
		return ""
	}
	return p
})

// superviseArgs is the supervisor's command line after the executable.
func superviseArgs(parent int, path string, args []string) []string {
	head := []string{SuperviseCommand, interruptGrace.String(), orphanGrace.String(), strconv.Itoa(parent), "--", path}
	return append(head, args...)
}

// spareArgs is the command line of a spare supervisor (spare.go), which
// reads its command from its stdin.
func spareArgs(parent int) []string {
	return []string{SuperviseCommand, interruptGrace.String(), orphanGrace.String(), strconv.Itoa(parent), specFlag}
}

// specFlag ends a spare supervisor's command line.
const specFlag = "--spec"

// supervision is a parsed supervisor command line.
type supervision struct {
	grace, orphanGrace time.Duration
	parent             int
	argv               []string
	// spec: the command comes on stdin (commandSpec), from a spare.
	spec bool
}

func parseSupervise(args []string) (supervision, error) {
	var s supervision
	spec := len(args) == 4 && args[3] == specFlag
	if !spec && (len(args) < 5 || args[3] != "--") {
		return s, fmt.Errorf("want GRACE ORPHAN-GRACE PARENT-PID -- PROGRAM [ARGS...] or GRACE ORPHAN-GRACE PARENT-PID %s, got %q", specFlag, args)
	}
	s.spec = spec
	var err error
	if s.grace, err = time.ParseDuration(args[0]); err != nil {
		return s, err
	}
	if s.orphanGrace, err = time.ParseDuration(args[1]); err != nil {
		return s, err
	}
	if s.parent, err = strconv.Atoi(args[2]); err != nil {
		return s, err
	}
	if !spec {
		s.argv = args[4:]
	}
	return s, nil
}

// relay copies src to dst until src ends, reading on after dst fails.
func relay(dst io.Writer, src *os.File) {
	defer src.Close()
	buf := make([]byte, 32<<10)
	broken := false
	for {
		n, err := src.Read(buf)
		if n > 0 && !broken {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				broken = true
			}
		}
		if err != nil {
			return
		}
	}
}
