// Command demo is `make demo`, `make demo-aws` and `make demo-runbook`: it
// starts moto_server on a free loopback port, runs `tfrebuild apply --yes
// --with green` on an example against it, and stops the emulator, leaving
// nothing running. With -dr-config (the runbook-aws example), it seeds the
// data the example restores, rebuilds the example through its manual step
// (confirmed as an operator would) and then rebuilds it in another region
// with the -dr-config file (runbook.go).
//
// With -endpoint-input NAME (the orders-aws example), the stacks use real
// providers: the demo points Terraform at the provider mirror built by
// ../shared/tools/offline-providers.sh, and rebuilds an edited copy of the
// config that passes the emulator's URL to every stack as input NAME, the
// way an operator would. The example itself is not written.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

type options struct {
	bin, config   string
	endpointInput string
	drConfig      string
	extra         []string
}

func main() {
	var o options
	flag.StringVar(&o.bin, "tfrebuild", "bin/tfrebuild", "the tfrebuild binary")
	flag.StringVar(&o.config, "config", "examples/profile-api/rebuild.hcl", "the example config")
	flag.StringVar(&o.endpointInput, "endpoint-input", "", "stack input that takes the emulator's URL; uses the real provider mirror")
	flag.StringVar(&o.drConfig, "dr-config", "", "the region-loss config of the runbook example; runs the runbook demo")
	flag.Parse()
	o.extra = flag.Args()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var mirror testenv.Mirror
	if o.endpointInput != "" || o.drConfig != "" {
		// Before starting anything: without the mirror there is nothing to run.
		m, err := testenv.FindMirror()
		if err != nil {
			return err
		}
		mirror = m
	}
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
	cfg := o.config
	if o.drConfig != "" {
		if err := env.UseMirror(mirror); err != nil {
			return err
		}
		return runbook(ctx, o, env, moto.URL, dir)
	}
	if o.endpointInput != "" {
		if err := env.UseMirror(mirror); err != nil {
			return err
		}
		if cfg, err = emulatorCopy(o.config, filepath.Join(dir, "config"), o.endpointInput, moto.URL); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "demo: real providers from %s\n", mirror.Dir)
	} else {
		// The emulator starts empty every time, so the example's checkpoint
		// from an earlier demo describes resources that no longer exist.
		if err := os.RemoveAll(filepath.Join(filepath.Dir(cfg), ".tfrebuild")); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "demo: moto_server is up at %s; rebuilding %s\n\n", moto.URL, o.config)
	args := append([]string{"apply", "--config", cfg, "--with", "green", "--yes"}, o.extra...)
	return tfrebuild(ctx, o.bin, env, args...)
}

// emulatorCopy writes the config, edited to pass url as input, into dir,
// with the stack sources pointing back at the example.
func emulatorCopy(config, dir, input, url string) (string, error) {
	src, err := os.ReadFile(config)
	if err != nil {
		return "", err
	}
	abs, err := filepath.Abs(filepath.Dir(config))
	if err != nil {
		return "", err
	}
	out, err := testenv.EditConfig(src, config, testenv.ConfigEdit{Inputs: map[string]string{input: url}, SourceDir: abs})
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(dir, filepath.Base(config))
	return path, os.WriteFile(path, out, 0o644)
}
