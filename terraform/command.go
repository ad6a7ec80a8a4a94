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
	"strconv"
	"strings"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
)

// init, plan and apply, the commands on a stage's critical path, are run
// by tfrebuild itself rather than through terraform-exec. terraform-exec
// probes `version -json` before the first command of each instance (a
// Terraform start per stack and run: 50 ms on a quiet machine, several
// hundred under load) to decide which flags the binary takes; tfrebuild
// knows the binary's version already (Binary) and supports only versions
// that take every flag below. Building the arguments is kept apart from
// running them, and tested apart: terraform-exec's own defaults are kept
// flag for flag, so that nothing about what Terraform does changes.

// initArgs are init's arguments: against the stack's backend config file
// (reconfigured every time: the file is tfrebuild's), or without a backend
// for a wrapper root; -lockfile=readonly when the stack has a committed
// lock file.
func initArgs(backendFile string, readonlyLock bool) []string {
	args := []string{"init", "-no-color", "-input=false", "-backend=true", "-get=true", "-upgrade=false"}
	if backendFile != "" {
		args = append(args, "-reconfigure", "-backend-config="+backendFile)
	}
	if readonlyLock {
		args = append(args, "-lockfile=readonly")
	}
	return args
}

// importArgs adopt an existing object at address, with the stack's inputs
// (import evaluates the configuration).
func importArgs(lockTimeout string, varFiles []string, address, id string) []string {
	args := []string{"import", "-no-color", "-input=false", "-lock-timeout=" + lockTimeout}
	for _, f := range varFiles {
		args = append(args, "-var-file="+f)
	}
	return append(args, "-lock=true", address, id)
}

// decodePlan reads the output of `show -json PLAN`.
func decodePlan(text []byte) (*tfjson.Plan, error) {
	var plan tfjson.Plan
	if err := json.Unmarshal(text, &plan); err != nil {
		return nil, err
	}
	return &plan, plan.Validate()
}

// applyArgs plan and apply in one process (`apply -auto-approve -json`),
// or apply a saved plan when plan is set (it carries its variables).
func applyArgs(lockTimeout string, varFiles []string, plan string) []string {
	args := []string{"apply", "-no-color", "-auto-approve", "-input=false", "-lock-timeout=" + lockTimeout}
	if plan == "" {
		for _, f := range varFiles {
			args = append(args, "-var-file="+f)
		}
	}
	args = append(args, "-lock=true", "-parallelism=10", "-refresh=true", "-json")
	if plan != "" {
		args = append(args, plan)
	}
	return args
}

// planArgs plan to a saved plan file, -json; lock false for a read-only
// plan against a state another run may hold.
func planArgs(lockTimeout string, varFiles []string, out string, destroy, lock bool) []string {
	args := []string{"plan", "-no-color", "-input=false", "-detailed-exitcode", "-lock-timeout=" + lockTimeout, "-out=" + out}
	for _, f := range varFiles {
		args = append(args, "-var-file="+f)
	}
	args = append(args, "-lock="+strconv.FormatBool(lock), "-parallelism=10", "-refresh=true")
	if destroy {
		args = append(args, "-destroy")
	}
	return append(args, "-json")
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

// run runs one Terraform command in the stack's working copy: stdout to
// out (the JSON UI), stderr to the stack's log. A cancelled context sends
// Terraform an interrupt, so that it releases its state lock and saves
// what it applied; it is killed if it has not stopped a minute later.
func (r *Runner) run(ctx context.Context, h *handle, out io.Writer, args []string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, r.Binary.Path, args...)
	cmd.Dir, cmd.Env = h.dir, commandEnv(h.env)
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = out, io.MultiWriter(h.log, &stderr)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = time.Minute
	setProcAttr(cmd)
	err := cmd.Run()
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
