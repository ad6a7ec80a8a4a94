// Command demo is `make demo`: it starts moto_server on a free loopback
// port, runs `tfrebuild apply --yes --with green` on the profile-api example
// against it, and stops the emulator, leaving nothing running.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

func main() {
	bin := flag.String("tfrebuild", "bin/tfrebuild", "the tfrebuild binary")
	example := flag.String("config", "examples/profile-api/rebuild.hcl", "the example config")
	flag.Parse()
	if err := run(*bin, *example, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(bin, cfg string, extra []string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	dir, err := os.MkdirTemp("", "tfrebuild-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fmt.Fprintln(os.Stderr, "demo: starting moto_server on 127.0.0.1 …")
	moto, err := testenv.StartMoto(ctx, filepath.Join(dir, "moto.log"))
	if err != nil {
		return err
	}
	defer func() {
		moto.Stop()
		fmt.Fprintln(os.Stderr, "demo: moto_server stopped")
	}()
	env, err := testenv.NewEnv(moto, dir)
	if err != nil {
		return err
	}
	// The emulator starts empty every time, so the example's checkpoint
	// from an earlier demo describes resources that no longer exist.
	state := filepath.Join(filepath.Dir(cfg), ".tfrebuild")
	if err := os.RemoveAll(state); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "demo: moto_server is up at %s; rebuilding %s\n\n", moto.URL, cfg)
	args := append([]string{"apply", "--config", cfg, "--with", "green", "--yes"}, extra...)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env.Environ()
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	return cmd.Run()
}
