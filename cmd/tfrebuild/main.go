// Command tfrebuild rebuilds a Terraform-managed environment from nothing:
// state bucket and lock table, registries, then the stacks in order, with
// checkpoints so that a rebuild that dies half-way resumes where it stopped.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/tfrebuild/tfrebuild/internal/awserr"
	"github.com/tfrebuild/tfrebuild/lease"
	"github.com/tfrebuild/tfrebuild/stages"
	"github.com/tfrebuild/tfrebuild/terraform"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// Exit codes, decided here and nowhere else.
const (
	exitOK      = 0
	exitFailure = 1
	exitChanges = 2
	exitWaiting = 3
	// exitInterrupted follows the shell's 128+SIGINT.
	exitInterrupted = 130
)

// errChangesPending makes plan --detailed-exitcode exit 2.
var errChangesPending = errors.New("changes pending")

func main() {
	// A copy of tfrebuild supervises each Terraform process, so that
	// Terraform stops cleanly even when tfrebuild is killed.
	if code, ok := terraform.ServeSupervisor(os.Args[1:]); ok {
		os.Exit(code)
	}
	ctx, stop := signalContext()
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// signalContext cancels on the first SIGINT or SIGTERM, which makes
// the terraform package interrupt Terraform so that it releases its state lock. A
// second signal ends the process at once.
func signalContext() (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ch
		fmt.Fprintln(os.Stderr, "tfrebuild: interrupt received; stopping Terraform cleanly (press Ctrl-C again to quit at once)")
		cancel()
		<-ch
		fmt.Fprintln(os.Stderr, "tfrebuild: second interrupt; exiting now")
		os.Exit(exitInterrupted)
	}()
	return ctx, func() { signal.Stop(ch); cancel() }
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	env := &cliEnv{stdin: stdin, stdout: stdout, stderr: stderr}
	err := dispatch(ctx, env, args)
	return exitCode(err, stderr)
}

func exitCode(err error, stderr io.Writer) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errHelp):
		return exitOK
	case errors.Is(err, errChangesPending):
		return exitChanges
	case errors.Is(err, stages.ErrWaiting):
		return exitWaiting
	case lostLease(err):
		// The run stopped itself: a failure to report, not an interrupt.
		fmt.Fprintf(stderr, "tfrebuild: %v\n", err)
		return exitFailure
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(stderr, "tfrebuild: %v\n", err)
		return exitInterrupted
	}
	fmt.Fprintf(stderr, "tfrebuild: %v\n", err)
	var u *usageError
	if errors.As(err, &u) && u.hint != "" {
		fmt.Fprintf(stderr, "Try: %s\n", u.hint)
	}
	if next := awserr.Advice(err); next != "" {
		fmt.Fprintf(stderr, "What next: %s\n", next)
	}
	return exitFailure
}

// lostLease says the run was cancelled because it lost its run lease.
func lostLease(err error) bool {
	var lost *lease.LostError
	return errors.As(err, &lost)
}
