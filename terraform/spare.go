package terraform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"
)

// A supervisor is a second copy of tfrebuild: starting one costs the
// program's start (some 10 ms), which every Terraform command would pay
// on its stage's path. A runner with Spares keeps one supervisor started
// ahead, waiting on its stdin for the command it is to run (commandSpec):
// a command takes it, hands it the command and reads its output. The
// first is started when the runner prepares a stack, the next when a
// command ends (not while Terraform starts, whose CPU it would take). A spare that is never used ends when its stdin
// does (Close, or tfrebuild's death). It supervises exactly as one
// started for its command: it takes the stack's busy lock before
// Terraform starts, and does not start it once tfrebuild is gone.

// commandSpec is the command a spare supervisor runs.
type commandSpec struct {
	Argv []string `json:"argv"`
	Dir  string   `json:"dir"`
	Env  []string `json:"env"`
	// Busy is the stack's busy file, which the supervisor locks.
	Busy string `json:"busy"`
	// Stdin: Terraform reads the supervisor's stdin (not with a spare,
	// whose stdin carried the spec).
	Stdin bool `json:"-"`
}

// spare is a supervisor waiting for its command.
type spare struct {
	cmd      *exec.Cmd
	spec     *os.File // the write end of its stdin
	out, err *os.File // the read ends of its stdout and stderr
}

// startSpare starts a spare supervisor of the program sup.
func startSpare(sup string) (*spare, error) {
	var files [6]*os.File // spec, out, err: read end, write end
	for i := 0; i < len(files); i += 2 {
		r, w, err := os.Pipe()
		if err != nil {
			closeAll(files[:i])
			return nil, err
		}
		files[i], files[i+1] = r, w
	}
	cmd := exec.Command(sup, spareArgs(os.Getpid())...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = files[0], files[3], files[5]
	setProcAttr(cmd)
	err := cmd.Start()
	closeAll([]*os.File{files[0], files[3], files[5]}) // the child's ends
	if err != nil {
		closeAll([]*os.File{files[1], files[2], files[4]})
		return nil, err
	}
	return &spare{cmd: cmd, spec: files[1], out: files[2], err: files[4]}, nil
}

func closeAll(fs []*os.File) {
	for _, f := range fs {
		if f != nil {
			f.Close()
		}
	}
}

// run hands the spare its command and waits for it, with out and errOut
// receiving Terraform's output, as a supervisor started for the command
// would: a cancelled ctx interrupts it, and it is killed if it has not
// ended interruptGrace+15s later.
func (sp *spare) run(ctx context.Context, cs commandSpec, out, errOut io.Writer) error {
	spec, err := json.Marshal(cs)
	if err != nil {
		sp.close()
		return err
	}
	n, werr := sp.spec.Write(append(spec, '\n'))
	sp.spec.Close()
	if werr != nil && n == 0 {
		// It is gone (killed while it waited): it never got the command.
		sp.close()
		return fmt.Errorf("%w: %v", errSpareGone, werr)
	}
	var copies sync.WaitGroup
	copies.Go(func() { relay(out, sp.out) })
	copies.Go(func() { relay(errOut, sp.err) })
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			_ = sp.cmd.Process.Signal(os.Interrupt)
		case <-done:
			return
		}
		select {
		case <-time.After(interruptGrace + 15*time.Second):
			_ = sp.cmd.Process.Kill()
		case <-done:
		}
	}()
	err = sp.cmd.Wait()
	close(done)
	copies.Wait()
	if err == nil && werr != nil {
		err = werr // only part of the command went: it did not run
	}
	return err
}

// errSpareGone is a spare that could not be handed its command: the
// command is started under a supervisor of its own instead.
var errSpareGone = errors.New("the supervisor started ahead is gone")

// close ends a spare that was not used, and waits for it. It is killed:
// it has started nothing yet, and one still starting would hold the
// run's end for its start.
func (sp *spare) close() {
	sp.spec.Close()
	_ = sp.cmd.Process.Kill()
	_ = sp.cmd.Wait()
	sp.out.Close()
	sp.err.Close()
}

// spares is a runner's supervisor started ahead, if any.
type spares struct {
	mu     sync.Mutex // held while one starts
	ready  *spare
	closed bool
}

// warm starts a spare behind, unless one is ready or being started, the
// runner is closed, or this program cannot supervise.
func (s *spares) warm() {
	sup := supervisor()
	s.mu.Lock()
	defer s.mu.Unlock()
	if sup == "" || s.closed || s.ready != nil {
		return
	}
	sp, err := startSpare(sup)
	if err != nil {
		return // the command starts its supervisor itself
	}
	s.ready = sp
}

// take returns the ready spare, once.
func (s *spares) take() *spare {
	s.mu.Lock()
	defer s.mu.Unlock()
	sp := s.ready
	s.ready = nil
	return sp
}

// close ends the spare not used; none starts after it.
func (s *spares) close() {
	s.mu.Lock()
	s.closed = true
	sp := s.ready
	s.ready = nil
	s.mu.Unlock()
	if sp != nil {
		sp.close()
	}
}
