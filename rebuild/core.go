package rebuild

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"sync"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/stages"
	"github.com/tfrebuild/tfrebuild/terraform"
)

// Common are the options every mode shares.
type Common struct {
	With        []string
	Parallelism int
	// Download allows fetching the pinned Terraform when it is not installed.
	Download bool
	// Sinks receive the run's events (terminal progress, --events, ...).
	Sinks []events.Sink
	// Deps replaces the engine's collaborators; the zero value is the real
	// AWS session, Terraform and checkpoint store.
	Deps Deps
}

// core is what every mode shares: the config, the pipeline, the scope the
// stacks' inputs are evaluated in, the connection and the in-memory
// checkpoint the stages record into. Whether that checkpoint is ever
// written is the mode's business.
type core struct {
	cfg      *config.Config
	opts     Common
	deps     Deps
	pipeline *stages.Pipeline
	bus      *events.Bus
	runID    string
	// workDir names the folder under .tfrebuild the stacks work in.
	workDir     string
	saveTimeout time.Duration

	mu        sync.Mutex // guards ckpt, scope and sensitive
	ckpt      *checkpoint.Checkpoint
	scope     *config.Scope
	sensitive map[string]map[string]bool

	conn      *Connection
	tf        Terraform
	tfVersion string
	// engine is the engine and its version, "opentofu 1.12.6": notes,
	// fingerprints and reports name it.
	engine string
	// onReport, when set, sees every bootstrap report (the planner turns
	// them into plan actions).
	onReport func(stage string, rep *bootstrap.Report)
}

func newCore(cfg *config.Config, p *stages.Pipeline, opts Common, mode, workDir string) *core {
	id := newRunID()
	return &core{cfg: cfg, opts: opts, deps: opts.Deps.withDefaults(), pipeline: p, runID: id, workDir: workDir, saveTimeout: saveTimeout,
		bus:   events.NewBus(id, cfg.Project, mode, opts.Sinks...),
		ckpt:  checkpoint.New(cfg.Project, cfg.Target.AccountID, cfg.Target.Region),
		scope: cfg.NewScope(stages.Absent(cfg, opts.With)), sensitive: map[string]map[string]bool{}}
}

// execute runs the pipeline with a mode's stage function; onEvent is
// called for each status change after the checkpoint has recorded it.
func (c *core) execute(ctx context.Context, run stages.Func, onEvent func(stages.Event)) (*stages.Result, error) {
	c.bus.Emit(events.Event{Type: events.RunStarted, RTO: c.rto(time.Now())})
	runner := &stages.Runner{Parallelism: c.opts.Parallelism, Run: run, OnEvent: func(e stages.Event) {
		elapsed := c.record(e)
		if onEvent != nil {
			onEvent(e)
		}
		c.emitStage(e, elapsed)
	}}
	return runner.Execute(ctx, c.pipeline)
}

// finish emits run_finished with the run's outcome.
func (c *core) finish(res *stages.Result, err error) {
	out := events.Outcome(stages.Done)
	switch {
	case errors.Is(err, stages.ErrWaiting) || (err == nil && res != nil && res.Waiting()):
		out = events.Outcome(stages.Waiting)
	case err != nil && ctxErr(err):
		out = events.Outcome(stages.Interrupted)
	case err != nil:
		out = events.Outcome(stages.Failed)
	}
	e := events.Event{Type: events.RunFinished, Outcome: out, RTO: c.rto(time.Now())}
	if err != nil && out != events.Outcome(stages.Waiting) {
		e.Error = err.Error()
	}
	c.bus.Emit(e)
}

// rto is the recovery time clock as the checkpoint has it.
func (c *core) rto(now time.Time) *events.RTO {
	c.mu.Lock()
	started := c.ckpt.StartedAt
	c.mu.Unlock()
	r := &events.RTO{TargetSeconds: c.cfg.RTO.Seconds(), RebuildStarted: started}
	if !started.IsZero() {
		r.ElapsedSeconds = now.Sub(started).Seconds()
	}
	r.Met = c.cfg.RTO == 0 || r.ElapsedSeconds <= c.cfg.RTO.Seconds()
	return r
}

// preflight connects to the target and every account behind the guard
// and finds Terraform.
func (c *core) preflight(ctx context.Context) error {
	c.clearNotes("preflight")
	conn, err := c.deps.Connect(ctx, c.cfg)
	if err != nil {
		return err
	}
	c.noteAccounts(conn)
	tf, bin, err := c.deps.Terraform(ctx, c.cfg, filepath.Join(StateDir(c.cfg), c.workDir), c.opts.Download)
	if err != nil {
		return err
	}
	c.engine = engineLabel(c.cfg, bin)
	c.note("preflight", fmt.Sprintf("%s at %s", c.engine, bin.Path))
	c.conn, c.tf, c.tfVersion = conn, c.withStateFiles(tf), bin.Version
	return nil
}

func (c *core) tfStack(st *config.Stack) terraform.Stack {
	return c.terraformStack(st) // kind_stack.go wires every field
}

// inputs evaluates a stack's inputs in the current scope.
func (c *core) inputs(st *config.Stack) (map[string]cty.Value, error) {
	c.mu.Lock()
	vars, diags := c.scope.Inputs(st)
	c.mu.Unlock()
	if diags.HasErrors() {
		return nil, config.DiagnosticsError(diags)
	}
	return vars, nil
}

func newRunID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// me identifies this process as a run lock holder.
func me(runID string) checkpoint.Holder {
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return checkpoint.Holder{RunID: runID, Host: checkpoint.Hostname(), PID: os.Getpid(), User: name, Since: time.Now().UTC()}
}

// WhoAmI names the person confirming a step: user@host.
func WhoAmI() string {
	h := me("")
	return h.User + "@" + h.Host
}

func (c *core) closeTerraform() {
	if c.tf != nil {
		_ = c.tf.Close()
	}
}
