package terraform

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/zclconf/go-cty/cty"
)

// Runner runs Terraform (or OpenTofu) for stacks. It is safe for
// concurrent use: init, which shares the plugin cache, runs one at a time.
// Close it when the run ends.
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
	// Spares keeps a supervisor started ahead of the next command
	// (spare.go) once the runner has started work.
	Spares bool

	spares spares

	rootOnce sync.Once
	root     *os.File // the work root's in-use lock (sweep.go)

	inits   initGate   // inits that may write the plugin cache run alone (initslot.go)
	mu      sync.Mutex // guards handles
	handles map[string]*handle
}

// Stack is one stack's run: where its code is, where its state goes and
// the values of its variables.
type Stack struct {
	Name      string
	SourceDir string
	// Files are the stack's file set: slash paths relative to SourceDir
	// (../ for a module outside it), the files Terraform may read. The
	// working copy holds exactly these; the caller lists them
	// (config.StackFiles), this package never walks the source.
	Files []string
	// Modules are the local module directories the stack calls, relative
	// to SourceDir, as the same listing found them.
	Modules []string
	Backend Backend
	Vars    map[string]cty.Value
	// Wrap plans the stack against an empty local state instead of its
	// backend (see Plan); Outputs are its declared outputs and whether
	// each is sensitive, which the wrapper re-exports.
	Wrap    bool
	Outputs map[string]bool
	// Env is the user's environment for this stack's Terraform processes
	// (over the runner's Env). tfrebuild manages TF_VAR_*, TF_LOG*,
	// TF_CLI_ARGS*, TF_WORKSPACE and a few others itself (managedEnv):
	// those are refused.
	Env map[string]string
	// VarFiles are the user's own var files (absolute paths), passed before
	// tfrebuild's generated one, which therefore wins on a clash.
	VarFiles []string
	// Credentials, when set, is called before each Terraform command; what
	// it returns (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
	// AWS_SESSION_TOKEN...) is merged into the environment, so that
	// assumed-role credentials are fresh for every command of a long apply.
	// They are never logged.
	Credentials func(ctx context.Context) (map[string]string, error)
	// Progress, when set, receives Terraform's per-resource progress of
	// this stack's plans and applies. It is called from the goroutine that
	// reads Terraform's output: keep it quick.
	Progress func(ResourceEvent)
	// StateLocked says the caller holds the state's lock for the command,
	// under an ID of its own (so it can tell its own lock from anyone
	// else's, and release it by that ID): apply, destroy and import then
	// run with -lock=false instead of locking again.
	StateLocked bool
	// Imports are objects Apply adopts into the state (importblock.go):
	// by import blocks in the apply itself where the engine takes them.
	Imports []Import
}

// Outputs are a stack's outputs after apply. Sensitive values flow to
// dependents but are never printed, logged or checkpointed.
type Outputs struct {
	Values    map[string]cty.Value
	Sensitive map[string]bool
}

// Workdir is the folder tfrebuild keeps for a stack, outside its source
// tree: Terraform's data dir, the working copy Terraform runs in, the var
// file and the plan while a command sequence runs, the logs.
type Workdir string

func (w Workdir) DataDir() string     { return filepath.Join(string(w), "data") }
func (w Workdir) VarFile() string     { return filepath.Join(string(w), "inputs.tfvars.json") }
func (w Workdir) BackendFile() string { return filepath.Join(string(w), "backend.hcl") }
func (w Workdir) PlanFile() string    { return filepath.Join(string(w), "plan.tfplan") }

// BusyFile is locked by the supervisor of every Terraform command that
// runs in the work folder (busy_unix.go).
func (w Workdir) BusyFile() string { return filepath.Join(string(w), "busy") }

// OwnPluginCache is the plugin cache of a stack without a lock file
// (see prepare).
func (w Workdir) OwnPluginCache() string { return filepath.Join(string(w), "plugin-cache") }

// LogFile is a symlink to the log of the stack's latest attempt.
func (w Workdir) LogFile() string { return filepath.Join(string(w), "terraform.log") }

// CopyDir holds the working copy of the stack's source.
func (w Workdir) CopyDir() string { return filepath.Join(string(w), "src") }

// LockFile is where the lock file Terraform generated for a stack without
// a committed one is kept between runs.
func (w Workdir) LockFile() string { return filepath.Join(string(w), LockFileName) }

// Workdir returns the work folder of a stack.
// The work root is in use from then on (sweep.go).
func (r *Runner) Workdir(stack string) Workdir {
	r.holdRoot()
	return Workdir(filepath.Join(r.WorkRoot, stack))
}

// Result is what applying a stack did.
type Result struct {
	Changed bool // the plan had changes and was applied
	// Notes are facts the run should tell the user, such as a lock file
	// kept in the work folder because the stack has none.
	Notes []string
	// Timings are the Terraform commands this stack ran in this run,
	// init ahead included, and how long each took.
	Timings []Timing
	// Outputs are the stack's outputs as the apply printed them at its
	// end; nil when it did not print them all (a sensitive output's
	// value is never printed: the caller reads the state then).
	Outputs *Outputs
}

// handle is one stack's Terraform working copy and log for this run.
type handle struct {
	mu     sync.Mutex // held while a command runs, so init ahead and apply never overlap
	wd     Workdir
	dir    string // the working copy Terraform runs in
	log    *attemptLog
	inited bool
	// initSkipped: the data dir was initialised for the same inputs by an
	// earlier run, and this run has not run init (initkey.go).
	initSkipped bool
	wrapped     bool
	stack       Stack             // the latest call's stack: its env and credentials
	env         map[string]string // the environment of the next command (prepare)
	// timings are the commands run since the stack's last result.
	timings []Timing
	// committedLock is the stack's own lock file, honoured read-only.
	committedLock string
	// rehosted: the committed lock file names Terraform's registry and
	// OpenTofu's init records its own checksums (lockhost.go).
	rehosted bool
	// noLock: the working copy has no lock file, neither committed nor
	// kept from an earlier run (see prepare).
	noLock bool
}

// handle returns the stack's handle, creating its work folder, working
// copy, backend file and log on first use.
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
	// A dead run's Terraform may still be stopping in the work folder.
	if err := waitIdle(context.Background(), wd, idleLimit); err != nil {
		return nil, fmt.Errorf("stack %s: %w", s.Name, err)
	}
	// A run killed mid-sequence leaves its var file and plan, which hold
	// input values in clear: they go now.
	_ = os.Remove(wd.VarFile())
	_ = os.Remove(wd.PlanFile())
	h := &handle{wd: wd, wrapped: s.Wrap}
	if err := h.layout(s, r.Binary != nil && r.Binary.Engine == EngineOpenTofu); err != nil {
		return nil, fmt.Errorf("stack %s: lay out its working copy in %s: %w", s.Name, wd, err)
	}
	h.env, h.log = r.env(wd), &attemptLog{wd: wd}
	if r.handles == nil {
		r.handles = map[string]*handle{}
	}
	r.handles[s.Name] = h
	return h, nil
}

// WaitIdle waits until no Terraform process of an earlier run works on
// the stack any more: one that was stopping when tfrebuild died has saved
// its state and is gone.
func (r *Runner) WaitIdle(ctx context.Context, stack string) error {
	if err := waitIdle(ctx, r.Workdir(stack), idleLimit); err != nil {
		return fmt.Errorf("stack %s: %w", stack, err)
	}
	return nil
}

// take returns the stack's handle locked for one call (unlock h.mu when
// it ends), with s as the stack of its commands.
func (r *Runner) take(s Stack) (*handle, error) {
	h, err := r.handle(s)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	h.stack = s
	return h, nil
}

// layout prepares the directory Terraform runs in: the wrapper root of a
// plan against an empty state, or the working copy of the stack with the
// lock file it must use (on OpenTofu, openTofuLock's).
func (h *handle) layout(s Stack, opentofu bool) error {
	committed := filepath.Join(s.SourceDir, LockFileName)
	lock, err := os.ReadFile(committed)
	switch {
	case err == nil:
		h.committedLock = committed
		if opentofu {
			lock, h.rehosted = openTofuLock(lock, h.wd.LockFile())
		}
	case os.IsNotExist(err):
		lock, _ = os.ReadFile(h.wd.LockFile())
	default:
		return err
	}
	h.noLock = len(lock) == 0
	if s.Wrap {
		h.dir = filepath.Join(string(h.wd), "root")
		return writeWrapper(h.dir, s, lock)
	}
	if err := writeFile(h.wd.BackendFile(), []byte(s.Backend.HCL())); err != nil {
		return err
	}
	if err := rescueErrored(h.wd, h.wd.CopyDir()); err != nil {
		return err
	}
	h.dir, err = workCopy(s.SourceDir, s.Files, h.wd.CopyDir(), lock)
	return err
}

// warmSpare starts a supervisor ahead of the next command, behind the
// caller, when the runner keeps one (Spares).
func (r *Runner) warmSpare() {
	if r.Spares {
		go r.spares.warm()
	}
}

// Close closes the stacks' logs, and ends the supervisor started ahead.
func (r *Runner) Close() error {
	r.spares.close()
	r.mu.Lock()
	defer r.mu.Unlock()
	for name, h := range r.handles {
		h.mu.Lock()
		h.log.Close()
		h.mu.Unlock()
		delete(r.handles, name)
	}
	if r.root != nil {
		r.root.Close()
	}
	return nil
}

// logMarker starts the output of each Terraform command in a stack's log,
// so that a failure's error lines are taken from the command that failed.
const logMarker = "### tfrebuild: terraform "

func (h *handle) mark(command string) {
	fmt.Fprintf(h.log, "\n%s%s (%s)\n", logMarker, command, time.Now().UTC().Format(time.RFC3339))
}
