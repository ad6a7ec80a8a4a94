package terraform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"sort"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
)

// decodePlan reads the output of `show -json PLAN`.
func decodePlan(text []byte) (*tfjson.Plan, error) {
	var plan tfjson.Plan
	if err := json.Unmarshal(text, &plan); err != nil {
		return nil, err
	}
	return &plan, plan.Validate()
}

// commandEnv is the environment of a command tfrebuild runs: the stack's
// (prepare), with Terraform's own logging off (its log would pollute the
// output tfrebuild reads, and may hold secrets), automation mode on, the
// workspace chosen by the backend config rather than TF_WORKSPACE, and
// CHECKPOINT_DISABLE carried over: what terraform-exec sets for its own.
func commandEnv(stack map[string]string) []string {
	env := maps.Clone(stack)
	if env == nil {
		env = map[string]string{}
	}
	if _, ok := env["CHECKPOINT_DISABLE"]; !ok {
		env["CHECKPOINT_DISABLE"] = os.Getenv("CHECKPOINT_DISABLE")
	}
	for _, k := range []string{"TF_LOG", "TF_LOG_CORE", "TF_LOG_PATH", "TF_LOG_PROVIDER"} {
		env[k] = ""
	}
	env["TF_IN_AUTOMATION"] = "1"
	delete(env, "TF_WORKSPACE")
	ua := strings.TrimSpace(os.Getenv("TF_APPEND_USER_AGENT") + " tfrebuild")
	env["TF_APPEND_USER_AGENT"] = ua
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// errChanges is plan's exit code 2 under -detailed-exitcode: it succeeded,
// and the plan has changes.
var errChanges = errors.New("plan has changes")

// execute runs Terraform with args in the stack's working copy, under a
// spare supervisor when one is ready, else under one started for it.
func (r *Runner) execute(ctx context.Context, h *handle, out, errOut io.Writer, args []string) error {
	if r.Spares {
		defer r.warmSpare()
		if sp := r.spares.take(); sp != nil {
			err := r.executeSpare(ctx, sp, h, out, errOut, args)
			if !errors.Is(err, errSpareGone) {
				return err
			}
		}
	}
	cmd, done, err := r.engineCommand(ctx, h.wd, args)
	if err != nil {
		return err
	}
	defer done()
	cmd.Dir, cmd.Env = h.dir, commandEnv(h.env)
	cmd.Stdout, cmd.Stderr = out, errOut
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	return runCommand(cmd)
}

// executeSpare runs Terraform with args under the spare sp, holding the
// stack's busy lock until it hands over.
func (r *Runner) executeSpare(ctx context.Context, sp *spare, h *handle, out, errOut io.Writer, args []string) error {
	busy, err := holdBusy(h.wd)
	if err != nil {
		sp.close()
		return fmt.Errorf("lock %s: %w", h.wd.BusyFile(), err)
	}
	defer busy.Close()
	cs := commandSpec{Argv: append([]string{r.Binary.Path}, args...), Dir: h.dir, Env: commandEnv(h.env), Busy: h.wd.BusyFile()}
	return sp.run(ctx, cs, out, errOut)
}

// run runs one Terraform command in the stack's working copy: stdout to
// out (the JSON UI), stderr to the stack's log. A cancelled context sends
// Terraform an interrupt, so that it releases its state lock and saves
// what it applied; its process group is killed if it has not stopped a
// minute later. tfrebuild's own death interrupts it too (supervise.go).
func (r *Runner) run(ctx context.Context, h *handle, out io.Writer, args []string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var stderr strings.Builder
	err := r.execute(ctx, h, out, io.MultiWriter(h.log, &stderr), args)
	if ctx.Err() != nil {
		return fmt.Errorf("%w: %v", ctx.Err(), err)
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 2 && args[0] == "plan" {
		return errChanges
	}
	if err != nil {
		return fmt.Errorf("%w\n%s", err, stderr.String())
	}
	return nil
}
