// Command bench measures tfrebuild against the Terraform work it drives.
//
// It starts moto_server on loopback, then, on the profile-api example with
// every resource slowed by -delay seconds:
//
//  1. runs `tfrebuild apply --yes --with green` and takes its wall time;
//  2. bootstraps a second, empty target and runs the same Terraform
//     commands directly (init, plan -out, apply PLAN, output -json per
//     stack), one stack after another, timing each.
//
// It prints tfrebuild's wall time as a ratio of the Terraform critical path
// (shared + the slower of blue and green + link) and of the sequential
// script (the sum of all four). All figures come from this one run.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
	"github.com/tfrebuild/tfrebuild/terraform"
)

func main() {
	bin := flag.String("tfrebuild", "bin/tfrebuild", "the tfrebuild binary")
	delay := flag.Int("delay", 3, "seconds each simulated resource takes")
	flag.Parse()
	if err := run(*bin, *delay); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type stack struct {
	name, source string
	inputs       func(outs map[string]map[string]any) map[string]any
}

func stacks(delay int) []stack {
	return []stack{
		{"shared", "shared", func(map[string]map[string]any) map[string]any {
			return map[string]any{"project": "bench", "delay_seconds": delay}
		}},
		{"blue", "env", func(o map[string]map[string]any) map[string]any {
			return map[string]any{"colour": "blue", "vpc_id": o["shared"]["vpc_id"], "api_key": o["shared"]["partner_api_key"], "delay_seconds": delay}
		}},
		{"green", "env", func(o map[string]map[string]any) map[string]any {
			return map[string]any{"colour": "green", "vpc_id": o["shared"]["vpc_id"], "api_key": o["shared"]["partner_api_key"], "delay_seconds": delay}
		}},
		{"link", "link", func(o map[string]map[string]any) map[string]any {
			return map[string]any{"blue_url": o["blue"]["url"], "green_url": o["green"]["url"], "delay_seconds": delay}
		}},
	}
}

func run(bin string, delay int) error {
	ctx := context.Background()
	bin, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	examples, err := filepath.Abs(filepath.Join("examples", "profile-api", "stacks"))
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "tfrebuild-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	moto, err := testenv.StartMoto(ctx, filepath.Join(dir, "moto.log"))
	if err != nil {
		return err
	}
	defer moto.Stop()
	env, err := testenv.NewEnv(moto, dir)
	if err != nil {
		return err
	}

	// 1. tfrebuild.
	cfgDir := filepath.Join(dir, "tfrebuild")
	if err := writeConfig(cfgDir, "benchtool", examples, delay, true); err != nil {
		return err
	}
	start := time.Now()
	if out, err := tfrebuild(bin, cfgDir, env.Environ(), "--with", "green"); err != nil {
		return fmt.Errorf("tfrebuild apply: %v\n%s", err, out)
	}
	wall := time.Since(start)

	// 2. The same Terraform commands, run directly against a second target.
	directDir := filepath.Join(dir, "direct")
	if err := writeConfig(directDir, "benchdirect", examples, delay, false); err != nil {
		return err
	}
	if out, err := tfrebuild(bin, directDir, env.Environ()); err != nil {
		return fmt.Errorf("bootstrap the direct target: %v\n%s", err, out)
	}
	tfPath, err := exec.LookPath("terraform")
	if err != nil {
		return err
	}
	took := map[string]time.Duration{}
	outs := map[string]map[string]any{}
	for _, s := range stacks(delay) {
		t0 := time.Now()
		o, err := direct(ctx, tfPath, filepath.Join(examples, s.source), filepath.Join(directDir, "work", s.name), moto.URL, s, outs, env.Environ())
		if err != nil {
			return fmt.Errorf("stack %s: %w", s.name, err)
		}
		took[s.name] = time.Since(t0)
		outs[s.name] = o
	}
	critical := took["shared"] + max(took["blue"], took["green"]) + took["link"]
	sequential := took["shared"] + took["blue"] + took["green"] + took["link"]
	fmt.Printf("simulated resource time: %ds per stack (4 stacks; blue and green in parallel)\n", delay)
	fmt.Printf("terraform direct, per stack: shared %s, blue %s, green %s, link %s\n",
		r(took["shared"]), r(took["blue"]), r(took["green"]), r(took["link"]))
	fmt.Printf("terraform critical path:     %s\n", r(critical))
	fmt.Printf("terraform sequential script: %s\n", r(sequential))
	fmt.Printf("tfrebuild apply (whole run, including preflight, state bucket, lock table, registries): %s\n", r(wall))
	fmt.Printf("ratio tfrebuild / critical path:     %.3f\n", wall.Seconds()/critical.Seconds())
	fmt.Printf("ratio tfrebuild / sequential script: %.3f\n", wall.Seconds()/sequential.Seconds())
	return nil
}

func r(d time.Duration) string { return d.Round(10 * time.Millisecond).String() }

func tfrebuild(bin, dir string, environ []string, extra ...string) (string, error) {
	cmd := exec.Command(bin, append([]string{"apply", "--yes", "--no-download"}, extra...)...)
	cmd.Dir, cmd.Env = dir, environ
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func writeConfig(dir, project, stacksDir string, delay int, withStacks bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	src := fmt.Sprintf(`project = %q
rto     = "1h"
terraform {
  version = "1.11.4"
}
target {
  account_id = "123456789012"
  region     = "eu-west-2"
}
state {
  bucket                  = "%s-tfstate"
  lock_table              = "%s-lock"
  deny_insecure_transport = false
}
`, project, project, project)
	if withStacks {
		src += strings.NewReplacer("STACKS", stacksDir, "DELAY", fmt.Sprint(delay)).Replace(`
stack "shared" {
  source = "STACKS/shared"
  inputs = { project = "bench", delay_seconds = DELAY }
}
stack "blue" {
  source = "STACKS/env"
  inputs = { colour = "blue", vpc_id = stack.shared.outputs.vpc_id, api_key = stack.shared.outputs.partner_api_key, delay_seconds = DELAY }
}
stack "green" {
  source   = "STACKS/env"
  optional = true
  inputs   = { colour = "green", vpc_id = stack.shared.outputs.vpc_id, api_key = stack.shared.outputs.partner_api_key, delay_seconds = DELAY }
}
stack "link" {
  source = "STACKS/link"
  inputs = { blue_url = stack.blue.outputs.url, green_url = stack.green.outputs.url, delay_seconds = DELAY }
}
`)
	}
	return os.WriteFile(filepath.Join(dir, "rebuild.hcl"), []byte(src), 0o644)
}

// direct runs one stack's Terraform commands as a shell script would.
func direct(ctx context.Context, tfPath, src, work, endpoint string, s stack, outs map[string]map[string]any, environ []string) (map[string]any, error) {
	if err := os.MkdirAll(work, 0o700); err != nil {
		return nil, err
	}
	b := terraform.Backend{Bucket: "benchdirect-tfstate", Key: terraform.StateKey("benchdirect", s.name), Region: "eu-west-2",
		LockTable: "benchdirect-lock", Endpoints: map[string]string{"s3": endpoint, "dynamodb": endpoint, "sts": endpoint, "iam": endpoint}}
	backend, vars, plan := filepath.Join(work, "backend.hcl"), filepath.Join(work, "vars.json"), filepath.Join(work, "plan")
	if err := os.WriteFile(backend, []byte(b.HCL()), 0o600); err != nil {
		return nil, err
	}
	v, _ := json.Marshal(s.inputs(outs))
	if err := os.WriteFile(vars, v, 0o600); err != nil {
		return nil, err
	}
	env := append(environ, "TF_DATA_DIR="+filepath.Join(work, "data"), "TF_IN_AUTOMATION=1")
	steps := [][]string{
		{"init", "-input=false", "-reconfigure", "-backend-config=" + backend},
		{"plan", "-input=false", "-var-file=" + vars, "-out=" + plan},
		{"apply", "-input=false", plan},
	}
	for _, args := range steps {
		cmd := exec.CommandContext(ctx, tfPath, append([]string{"-chdir=" + src}, args...)...)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("terraform %s: %v\n%s", args[0], err, out)
		}
	}
	cmd := exec.CommandContext(ctx, tfPath, "-chdir="+src, "output", "-json")
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("terraform output: %w", err)
	}
	var raw map[string]struct {
		Value any `json:"value"`
	}
	if err := json.Unmarshal(out, &raw); err != nil {
		return nil, err
	}
	res := map[string]any{}
	for k, o := range raw {
		res[k] = o.Value
	}
	return res, nil
}
