package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/tfrebuild/tfrebuild/terraform"
)

// direct runs the fixture's Terraform work as a script or Terragrunt
// would: per stack `init` and `apply -auto-approve`, plus `output -json`
// to hand values downstream (timed apart: a script needs it, but the
// comparison is against init + apply).
type direct struct {
	tf       string // terraform binary
	stacks   string // fixture stacks folder
	project  string // a bootstrapped target of its own
	work     string
	endpoint string
	environ  []string
}

// stack runs one stack and returns how long init + apply took and its outputs.
func (d *direct) stack(ctx context.Context, f fixture, name string, outs map[string]map[string]any, fail bool) (time.Duration, map[string]any, error) {
	work := filepath.Join(d.work, name)
	if err := os.MkdirAll(work, 0o700); err != nil {
		return 0, nil, err
	}
	b := terraform.Backend{Bucket: d.project + "-tfstate", Key: terraform.StateKey(d.project, name), Region: "eu-west-2",
		LockTable: d.project + "-lock", Endpoints: map[string]string{"s3": d.endpoint, "dynamodb": d.endpoint, "sts": d.endpoint, "iam": d.endpoint}}
	backend, vars := filepath.Join(work, "backend.hcl"), filepath.Join(work, "vars.json")
	if err := os.WriteFile(backend, []byte(b.HCL()), 0o600); err != nil {
		return 0, nil, err
	}
	v, _ := json.Marshal(f.inputs(name, outs, fail))
	if err := os.WriteFile(vars, v, 0o600); err != nil {
		return 0, nil, err
	}
	src := filepath.Join(d.stacks, source(name))
	env := append(d.environ, "TF_DATA_DIR="+filepath.Join(work, "data"), "TF_IN_AUTOMATION=1")
	start := time.Now()
	for _, args := range [][]string{
		{"init", "-input=false", "-reconfigure", "-backend-config=" + backend},
		{"apply", "-input=false", "-auto-approve", "-var-file=" + vars},
	} {
		if _, err := d.run(ctx, env, src, args...); err != nil {
			return time.Since(start), nil, err
		}
	}
	took := time.Since(start)
	out, err := d.run(ctx, env, src, "output", "-json")
	if err != nil {
		return took, nil, err
	}
	var raw map[string]struct {
		Value any `json:"value"`
	}
	if err := json.Unmarshal(out, &raw); err != nil {
		return took, nil, err
	}
	res := map[string]any{}
	for k, o := range raw {
		res[k] = o.Value
	}
	return took, res, nil
}

func (d *direct) run(ctx context.Context, env []string, src string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, d.tf, append([]string{"-chdir=" + src}, args...)...)
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		return nil, fmt.Errorf("terraform %s: %v\n%s%s", args[0], err, out, stderr)
	}
	return out, nil
}

// rebuild runs the whole fixture directly, one stack after another, and
// returns each stack's time.
func (d *direct) rebuild(ctx context.Context, f fixture) (map[string]time.Duration, error) {
	took := map[string]time.Duration{}
	outs := map[string]map[string]any{}
	for _, s := range stackNames {
		t, o, err := d.stack(ctx, f, s, outs, false)
		if err != nil {
			return nil, fmt.Errorf("direct %s: %w", s, err)
		}
		took[s], outs[s] = t, o
	}
	return took, nil
}

func criticalPath(took map[string]time.Duration) time.Duration {
	return took["shared"] + max(took["blue"], took["green"]) + took["link"]
}

func sequential(took map[string]time.Duration) time.Duration {
	return took["shared"] + took["blue"] + took["green"] + took["link"]
}
