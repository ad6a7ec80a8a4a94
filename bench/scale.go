package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tfrebuild/tfrebuild/terraform"
)

// scale measures tfrebuild with n stacks: a deep chain (each stack reads
// the one before) and a wide fan (one root, every other stack reads it).
func (b *bench) scale(ctx context.Context, n int) error {
	fmt.Printf("scale: %d stacks\n", n)
	for _, shape := range []string{"chain", "fan"} {
		project := "scale-" + shape
		dir := filepath.Join(b.dir, project)
		if err := writeConfig(dir, header(project)+scaleStacks(b.stacks, n, shape)); err != nil {
			return err
		}
		validate, _, err := b.tfrebuild(dir, "validate")
		if err != nil {
			return err
		}
		wall, rss, err := b.apply(dir)
		if err != nil {
			return err
		}
		again, _, err := b.apply(dir)
		if err != nil {
			return err
		}
		fmt.Printf("  %-5s validate %s; apply %s, tfrebuild peak RSS %.1f MiB; apply again (all up to date) %s = %s per stack\n",
			shape, r(validate), r(wall), rss, r(again), r(again/time.Duration(n)))
		if shape != "chain" {
			continue
		}
		directTook, err := b.directChain(ctx, n)
		if err != nil {
			return err
		}
		fmt.Printf("  chain run directly (init + apply -auto-approve per stack): %s; tfrebuild's overhead per stack, bootstrap included: %s\n",
			r(directTook), r((wall-directTook)/time.Duration(n)))
	}
	return nil
}

func scaleName(i int) string { return fmt.Sprintf("s%03d", i) }

func scaleStacks(stacks string, n int, shape string) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "stack %q {\n  source = %q\n", scaleName(i), filepath.Join(stacks, "node"))
		switch {
		case i == 0:
		case shape == "chain":
			fmt.Fprintf(&b, "  inputs = { upstream = stack.%s.outputs.id }\n", scaleName(i-1))
		default:
			fmt.Fprintf(&b, "  inputs = { upstream = stack.%s.outputs.id }\n", scaleName(0))
		}
		b.WriteString("}\n")
	}
	return b.String()
}

// directChain runs the chain's Terraform work directly, one stack after
// the other, and returns the total.
func (b *bench) directChain(ctx context.Context, n int) (time.Duration, error) {
	project := "scale-direct"
	if err := b.bootstrap(project); err != nil {
		return 0, err
	}
	d := b.direct(project)
	var total time.Duration
	upstream := ""
	for i := range n {
		work := filepath.Join(d.work, scaleName(i))
		if err := os.MkdirAll(work, 0o700); err != nil {
			return 0, err
		}
		be := terraform.Backend{Bucket: project + "-tfstate", Key: terraform.StateKey(project, scaleName(i)), Region: "eu-west-2",
			LockTable: project + "-lock", Endpoints: map[string]string{"s3": d.endpoint, "dynamodb": d.endpoint, "sts": d.endpoint, "iam": d.endpoint}}
		backend, vars := filepath.Join(work, "backend.hcl"), filepath.Join(work, "vars.json")
		v, _ := json.Marshal(map[string]string{"upstream": upstream})
		if err := os.WriteFile(backend, []byte(be.HCL()), 0o600); err != nil {
			return 0, err
		}
		if err := os.WriteFile(vars, v, 0o600); err != nil {
			return 0, err
		}
		env := append(d.environ, "TF_DATA_DIR="+filepath.Join(work, "data"), "TF_IN_AUTOMATION=1")
		src := filepath.Join(b.stacks, "node")
		start := time.Now()
		if _, err := d.run(ctx, env, src, "init", "-input=false", "-reconfigure", "-backend-config="+backend); err != nil {
			return 0, err
		}
		if _, err := d.run(ctx, env, src, "apply", "-input=false", "-auto-approve", "-var-file="+vars); err != nil {
			return 0, err
		}
		total += time.Since(start)
		out, err := d.run(ctx, env, src, "output", "-raw", "id")
		if err != nil {
			return 0, err
		}
		upstream = string(out)
	}
	return total, nil
}
