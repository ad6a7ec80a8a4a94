//go:build unix

package terraform

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

const canSupervise = true

// supervise runs Terraform in a process group of its own and relays its
// output. An interrupt (tfrebuild's Ctrl-C, forwarded) or tfrebuild's
// death interrupts Terraform once; the group is killed when the grace
// ends, and in any case once Terraform has exited, so that nothing it
// started outlives it.
func supervise(args []string) int {
	s, err := parseSupervise(args)
	if err != nil {
		fmt.Fprintf(os.Stderr, "tfrebuild %s: %v\n", SuperviseCommand, err)
		return 125
	}
	stop := make(chan os.Signal, 4)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	// Writing to tfrebuild's pipes once it is gone must not kill us.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	var cs commandSpec
	if s.spec {
		var busy *os.File
		var code int
		if cs, busy, code = awaitSpec(s.parent, stop); code >= 0 {
			return code
		}
		defer busy.Close()
		s.argv = cs.Argv
	} else {
		keepBusy()
		cs.Stdin = true
	}
	p, err := startGroup(s.argv, cs)
	if err != nil {
		fmt.Fprintf(os.Stderr, "tfrebuild %s: start %s: %v\n", SuperviseCommand, s.argv[0], err)
		return 127
	}
	poll := time.NewTicker(parentPoll)
	defer poll.Stop()
	var expire <-chan time.Time
	interrupt := func(grace time.Duration) {
		if expire == nil {
			_ = syscall.Kill(p.pid, syscall.SIGINT)
			expire = time.After(grace)
		}
	}
	for {
		select {
		case err := <-p.done:
			_ = syscall.Kill(-p.pid, syscall.SIGKILL)
			p.drain()
			return exitStatus(err)
		case <-stop:
			interrupt(s.grace)
		case <-poll.C:
			if os.Getppid() != s.parent {
				interrupt(s.orphanGrace)
			}
		case <-expire:
			_ = syscall.Kill(-p.pid, syscall.SIGKILL)
		}
	}
}

// group is Terraform started as the leader of a new process group.
type group struct {
	pid    int
	done   chan error // Terraform's exit
	relays sync.WaitGroup
}

// startGroup starts argv in a process group of its own, its output
// relayed through pipes of ours rather than handed tfrebuild's: once
// tfrebuild is gone, a write to its pipe would kill Terraform by SIGPIPE
// before it saved its state.
func startGroup(argv []string, cs commandSpec) (*group, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	if cs.Stdin {
		cmd.Stdin = os.Stdin
	}
	cmd.Dir, cmd.Env = cs.Dir, cs.Env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	g := &group{done: make(chan error, 1)}
	var ours []*os.File
	for _, dst := range []*os.File{os.Stdout, os.Stderr} {
		r, w, err := os.Pipe()
		if err != nil {
			return nil, err
		}
		if dst == os.Stdout {
			cmd.Stdout = w
		} else {
			cmd.Stderr = w
		}
		ours = append(ours, w)
		g.relays.Add(1)
		go func() {
			defer g.relays.Done()
			relay(dst, r)
		}()
	}
	err := cmd.Start()
	for _, w := range ours {
		w.Close()
	}
	if err != nil {
		return nil, err
	}
	g.pid = cmd.Process.Pid
	go func() { g.done <- cmd.Wait() }()
	return g, nil
}

// drain waits for the output relays, a little: a process outside the group
// may still hold a pipe.
func (g *group) drain() {
	done := make(chan struct{})
	go func() { g.relays.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
}

// exitStatus is the supervisor's exit code for Terraform's: the same, or
// 128+N when signal N ended it.
func exitStatus(err error) int {
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return exit.ExitCode()
	}
	return 1
}

// awaitSpec waits, in a spare supervisor, for the command on stdin, then
// locks the stack's busy file shared as a supervisor holds it, and checks
// that tfrebuild still lives: from then on a later run waits for this
// supervisor. code is -1 when the command is to run; else the exit code:
// 0 when the spare was not used (stdin ended first: tfrebuild closed it
// unused, or died), 130 when an interrupt came first, 125 when a command
// came and cannot run (tfrebuild must not take that for Terraform's
// success).
func awaitSpec(parent int, stop <-chan os.Signal) (cs commandSpec, busy *os.File, code int) {
	got := make(chan error, 1)
	go func() { got <- json.NewDecoder(os.Stdin).Decode(&cs) }()
	poll := time.NewTicker(parentPoll)
	defer poll.Stop()
	for {
		select {
		case err := <-got:
			if err != nil || len(cs.Argv) == 0 {
				return cs, nil, 0
			}
			if cs.Busy != "" {
				if busy, err = holdShared(cs.Busy); err != nil {
					fmt.Fprintf(os.Stderr, "tfrebuild %s: lock %s: %v\n", SuperviseCommand, cs.Busy, err)
					return cs, nil, 125
				}
			}
			if os.Getppid() != parent {
				busy.Close()
				return cs, nil, 125
			}
			return cs, busy, -1
		case <-stop:
			return cs, nil, 130
		case <-poll.C:
			if os.Getppid() != parent {
				return cs, nil, 0
			}
		}
	}
}
