package terraform

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// Runner runs Terraform for stacks. It is safe for concurrent use: init,
// which shares the plugin cache, runs one at a time. Close it when the run
// ends.
type Runner struct {
	Binary *Binary
	// WorkRoot holds one work folder per stack (.tfrebuild/work).
	WorkRoot string
	// PluginCache is shared by every stack.
	PluginCache string
	// Env is the base environment for Terraform; os.Environ() when nil.
	Env []string
	// LockTimeout is how long plan and apply wait for a state lock.
	LockTimeout time.Duration

	initMu  sync.Mutex // one init at a time: the plugin cache is not safe for concurrent use
	mu      sync.Mutex // guards handles
	handles map[string]*handle
}

// Stack is one stack's run: where its code is, where its state goes and
// the values of its variables.
type Stack struct {
	Name      string
	SourceDir string
	Backend   Backend
	Vars      map[string]cty.Value
	// Wrap plans the stack against an empty local state instead of its
	// backend (see Plan); Outputs are its declared outputs and whether
	// each is sensitive, which the wrapper re-exports.
	Wrap    bool
	Outputs map[string]bool
}

// Outputs are a stack's outputs after apply. Sensitive values flow to
// dependents but are never printed, logged or checkpointed.
type Outputs struct {
	Values    map[string]cty.Value
	Sensitive map[string]bool
}

// Workdir is the folder tfrebuild keeps for a stack, outside its source
// tree: Terraform's data dir, the var file, the plan and the log.
type Workdir string

func (w Workdir) DataDir() string     { return filepath.Join(string(w), "data") }
func (w Workdir) VarFile() string     { return filepath.Join(string(w), "inputs.tfvars.json") }
func (w Workdir) BackendFile() string { return filepath.Join(string(w), "backend.hcl") }
func (w Workdir) PlanFile() string    { return filepath.Join(string(w), "plan.tfplan") }
func (w Workdir) LogFile() string     { return filepath.Join(string(w), "terraform.log") }

// Workdir returns the work folder of a stack.
func (r *Runner) Workdir(stack string) Workdir { return Workdir(filepath.Join(r.WorkRoot, stack)) }

// Result is what applying a stack did.
type Result struct {
	Changed bool // the plan had changes and was applied
	Outputs Outputs
}

// handle is one stack's terraform-exec instance and log for this run.
type handle struct {
	mu      sync.Mutex // held while a command runs, so init ahead and apply never overlap
	tf      *tfexec.Terraform
	wd      Workdir
	log     *os.File
	inited  bool
	wrapped bool
}

// handle returns the stack's handle, creating its work folder, backend
// file and log on first use.
func (r *Runner) handle(s Stack) (*handle, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if h := r.handles[s.Name]; h != nil {
		return h, nil
	}
	wd := r.Workdir(s.Name)
	if err := os.MkdirAll(wd.DataDir(), 0o700); err != nil {
		return nil, fmt.Errorf("create work folder: %w", err)
	}
	if r.PluginCache != "" {
		if err := os.MkdirAll(r.PluginCache, 0o755); err != nil {
			return nil, fmt.Errorf("create plugin cache: %w", err)
		}
	}
	dir := s.SourceDir
	if s.Wrap {
		dir = filepath.Join(string(wd), "root")
		if err := writeWrapper(dir, s); err != nil {
			return nil, fmt.Errorf("write the plan wrapper: %w", err)
		}
	} else if err := writeFile(wd.BackendFile(), []byte(s.Backend.HCL())); err != nil {
		return nil, err
	}
	tf, err := tfexec.NewTerraform(dir, r.Binary.Path)
	if err != nil {
		return nil, err
	}
	if err := tf.SetEnv(r.env(wd)); err != nil {
		return nil, err
	}
	logf, err := os.OpenFile(wd.LogFile(), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	tf.SetStdout(logf)
	tf.SetStderr(logf)
	h := &handle{tf: tf, wd: wd, log: logf, wrapped: s.Wrap}
	if r.handles == nil {
		r.handles = map[string]*handle{}
	}
	r.handles[s.Name] = h
	return h, nil
}

// Close closes the stacks' logs.
func (r *Runner) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for name, h := range r.handles {
		h.mu.Lock()
		h.log.Close()
		h.mu.Unlock()
		delete(r.handles, name)
	}
	return nil
}

// logMarker starts the output of each Terraform command in a stack's log,
// so that a failure's error lines are taken from the command that failed.
const logMarker = "### tfrebuild: terraform "

func (h *handle) mark(command string) {
	fmt.Fprintf(h.log, "\n%s%s (%s)\n", logMarker, command, time.Now().UTC().Format(time.RFC3339))
}

// Init runs terraform init for a stack against its backend, once per run.
// It needs no input values, so a rebuild runs it ahead, while the stacks
// upstream are still being applied.
func (r *Runner) Init(ctx context.Context, s Stack) error {
	h, err := r.handle(s)
	if err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return r.init(ctx, h)
}

func (r *Runner) init(ctx context.Context, h *handle) error {
	if h.inited {
		return nil
	}
	r.initMu.Lock()
	defer r.initMu.Unlock()
	h.mark("init")
	opts := []tfexec.InitOption{tfexec.BackendConfig(h.wd.BackendFile()), tfexec.Reconfigure(true)}
	if h.wrapped {
		opts = nil
	}
	err := h.tf.Init(ctx, opts...)
	if err != nil && ctx.Err() == nil {
		// The data dir is tfrebuild's own and disposable. A run killed in
		// the middle of an init can leave it half-written, which makes every
		// later init fail: start it afresh once (providers come from the
		// plugin cache).
		fmt.Fprintf(h.log, "\n%sinit failed; retrying once with a fresh data dir %s\n", logMarker, h.wd.DataDir())
		if rmErr := os.RemoveAll(h.wd.DataDir()); rmErr == nil {
			h.mark("init")
			err = h.tf.Init(ctx, opts...)
		}
	}
	if err != nil {
		return r.fail(h, "init", err)
	}
	h.inited = true
	return nil
}

// ready takes the stack's handle for one command sequence: initialised,
// with the var file written. Call unlock when done.
func (r *Runner) ready(ctx context.Context, s Stack) (*handle, func(), error) {
	h, err := r.handle(s)
	if err != nil {
		return nil, nil, err
	}
	h.mu.Lock()
	fail := func(err error) (*handle, func(), error) { h.mu.Unlock(); return nil, nil, err }
	if err := r.init(ctx, h); err != nil {
		return fail(err)
	}
	vars, err := varFile(s.Vars)
	if err != nil {
		return fail(err)
	}
	if err := writeFile(h.wd.VarFile(), vars); err != nil {
		return fail(err)
	}
	return h, h.mu.Unlock, nil
}

// Apply initialises the stack against its backend (unless done already),
// plans to a saved file, applies that file when it has changes, and reads
// the outputs.
func (r *Runner) Apply(ctx context.Context, s Stack) (*Result, error) {
	h, unlock, err := r.ready(ctx, s)
	if err != nil {
		return nil, err
	}
	defer unlock()
	changed, err := r.planAndApply(ctx, h, false)
	if err != nil {
		return nil, err
	}
	h.mark("output")
	outs, err := readOutputs(ctx, h.tf)
	if err != nil {
		return nil, r.fail(h, "output", err)
	}
	return &Result{Changed: changed, Outputs: outs}, nil
}

// planAndApply plans to the saved plan file and applies that file when it
// has changes. A saved plan carries its variables: apply refuses -var-file.
func (r *Runner) planAndApply(ctx context.Context, h *handle, destroy bool) (bool, error) {
	verb := map[bool]string{false: "plan", true: "plan -destroy"}[destroy]
	h.mark(verb)
	changed, err := h.tf.Plan(ctx, tfexec.VarFile(h.wd.VarFile()), tfexec.Out(h.wd.PlanFile()), tfexec.Destroy(destroy), tfexec.LockTimeout(r.lockTimeout()))
	if err != nil {
		return false, r.fail(h, verb, err)
	}
	if !changed {
		return false, nil
	}
	h.mark("apply")
	if err := h.tf.Apply(ctx, tfexec.DirOrPlan(h.wd.PlanFile()), tfexec.LockTimeout(r.lockTimeout())); err != nil {
		return false, r.fail(h, "apply", err)
	}
	return true, nil
}

// env merges the base environment with the stack's TF_DATA_DIR and the
// shared plugin cache. terraform-exec's SetEnv replaces the whole
// environment and refuses the variables it manages, so those are dropped.
func (r *Runner) env(wd Workdir) map[string]string {
	base := r.Env
	if base == nil {
		base = os.Environ()
	}
	env := map[string]string{}
	for _, kv := range base {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	env = tfexec.CleanEnv(env)
	env["TF_DATA_DIR"] = wd.DataDir()
	if r.PluginCache != "" {
		env["TF_PLUGIN_CACHE_DIR"] = r.PluginCache
	}
	return env
}

func (r *Runner) lockTimeout() string {
	if r.LockTimeout <= 0 {
		return "60s"
	}
	return fmt.Sprintf("%ds", int(r.LockTimeout.Round(time.Second).Seconds()))
}

// Outputs reads the outputs of a stack that is already applied.
func (r *Runner) Outputs(ctx context.Context, s Stack) (Outputs, error) {
	h, err := r.handle(s)
	if err != nil {
		return Outputs{}, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := r.init(ctx, h); err != nil {
		return Outputs{}, err
	}
	h.mark("output")
	outs, err := readOutputs(ctx, h.tf)
	if err != nil {
		return Outputs{}, r.fail(h, "output", err)
	}
	return outs, nil
}

// ForceUnlock releases a state lock by its ID. Callers must have proved
// that the lock's holder is gone.
func (r *Runner) ForceUnlock(ctx context.Context, s Stack, lockID string) error {
	h, err := r.handle(s)
	if err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := r.init(ctx, h); err != nil {
		return err
	}
	h.mark("force-unlock")
	if err := h.tf.ForceUnlock(ctx, lockID); err != nil {
		return r.fail(h, "force-unlock", err)
	}
	return nil
}

func readOutputs(ctx context.Context, tf *tfexec.Terraform) (Outputs, error) {
	raw, err := tf.Output(ctx)
	if err != nil {
		return Outputs{}, err
	}
	out := Outputs{Values: map[string]cty.Value{}, Sensitive: map[string]bool{}}
	for name, m := range raw {
		ty, err := ctyjson.UnmarshalType(m.Type)
		if err != nil {
			return out, fmt.Errorf("output %q: type: %w", name, err)
		}
		v, err := ctyjson.Unmarshal(m.Value, ty)
		if err != nil {
			return out, fmt.Errorf("output %q: value: %w", name, err)
		}
		out.Values[name] = v
		out.Sensitive[name] = m.Sensitive
	}
	return out, nil
}

func varFile(vars map[string]cty.Value) ([]byte, error) {
	obj := map[string]json.RawMessage{}
	names := make([]string, 0, len(vars))
	for k := range vars {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v := vars[k]
		if !v.IsWhollyKnown() {
			return nil, fmt.Errorf("input %q is not known yet", k)
		}
		b, err := ctyjson.SimpleJSONValue{Value: v}.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("input %q: %w", k, err)
		}
		obj[k] = b
	}
	return json.MarshalIndent(obj, "", "  ")
}

// writeFile writes a file only its owner can read: var files may hold
// secrets that upstream stacks produced.
func writeFile(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
