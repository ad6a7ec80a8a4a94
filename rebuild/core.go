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
	"github.com/tfrebuild/tfrebuild/timeline"
)

// Common are the options every mode shares.
type Common struct {
	With []string
	// Only and WithDeps narrow the run to some stacks (apply/plan --only).
	Only        []string
	WithDeps    bool
	Parallelism int
	// Download allows fetching the pinned Terraform when it is not installed.
	Download bool
	// Sinks receive the run's events (terminal progress, --events, ...).
	Sinks []events.Sink
	// Deps are the engine's collaborators: the command passes the real AWS
	// sessions, Terraform and checkpoint store (cmd/tfrebuild/wire.go),
	// tests their fakes.
	Deps Deps
	// Mode names the command in the events (drill runs apply and
	// destroy); the engine's own mode when empty.
	Mode string
	// Clock is the time; time.Now when nil. Tests pass a fake one.
	Clock func() time.Time
	// IncidentAt is when the data was lost (--incident-at): restores'
	// data loss is measured against it; zero for the rebuild's start.
	IncidentAt time.Time
}

// scope is the run's scope as given.
func (o Common) scope() Scope { return Scope{With: o.With, Only: o.Only, WithDeps: o.WithDeps} }

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

	mu        sync.Mutex     // guards ckpt, scope and sensitive
	later     sync.WaitGroup // drift checks left for later (checkLater)
	ckpt      *checkpoint.Checkpoint
	scope     *config.Scope
	sensitive map[string]map[string]bool

	now      func() time.Time
	runStart time.Time
	// attempts is what record keeps about this run's attempts; final is
	// the run's end as run_finished told it, for the summary.
	attempts runAttempts
	final    *runEnd

	conn *Connection
	// connecting is the connection being made ahead of preflight
	// (connectAhead); nil when preflight makes it.
	connecting *future[*Connection]
	// connectNotes are the retries the connection made ahead reported.
	connectNotes heldNotes
	tf           Terraform
	tfPath       string
	// engine is the engine and its version, "opentofu 1.12.6": notes,
	// fingerprints and reports name it.
	engine string
	// versions are the versions of the state objects this run read.
	versions stateVersions
	// bucketReady, when set, is called once the state bucket is known to
	// exist and to be this target's (apply starts init ahead then).
	bucketReady func()
	// onReport, when set, sees every bootstrap report (the planner turns
	// them into plan actions).
	onReport func(stage string, rep *bootstrap.Report)
	// kept are the stages outside an --only selection: their checkpoint
	// records stay as they are.
	kept map[string]bool
	// phase: this apply starts a new rebuild or resumes one (beginRun).
	phase rebuildPhase
	// key keys the checkpoint's hashes of inputs and outputs (apply).
	key []byte
	// lease is the target's run lease, when this mode holds one.
	lease runLease
	// locksAhead are the state locks taken with the lease (lock_ahead.go).
	locksAhead locksAhead
	// previous is the process that drove the last run, provably gone
	// since this run holds the run lock (apply; nil otherwise).
	previous *checkpoint.Holder
	// releases are the state locks being released behind the commands
	// that held them (statelock.go).
	releases lockReleases
	// noClock: a destroy's run has no RTO clock of its own; its events
	// name the rebuild they tear down instead (events.RebuildRef).
	noClock bool
}

func newCore(cfg *config.Config, p *stages.Pipeline, opts Common, mode, workDir string) *core {
	opts.With = opts.scope().normal(cfg).With
	id := newRunID()
	if opts.Mode != "" {
		mode = opts.Mode
	}
	now := opts.Clock
	if now == nil {
		now = time.Now
	}
	return &core{cfg: cfg, opts: opts, deps: opts.Deps.wiredOrErr(), pipeline: p, runID: id, workDir: workDir, saveTimeout: saveTimeout,
		bus:   events.NewBus(id, cfg.Project, mode, opts.Sinks...),
		ckpt:  checkpoint.New(cfg.Project, cfg.Target.AccountID, cfg.Target.Region),
		scope: cfg.NewScope(stages.Absent(cfg, opts.With)), sensitive: map[string]map[string]bool{},
		now: now, runStart: now(), attempts: newRunAttempts()}
}

// execute runs the pipeline with a mode's stage function; onEvent is
// called for each status change after the checkpoint has recorded it.
func (c *core) execute(ctx context.Context, run stages.Func, onEvent func(stages.Event)) (*stages.Result, error) {
	c.bus.Emit(events.Event{Type: events.RunStarted, Time: c.now().UTC(), RTO: c.runClock(c.now()), Message: c.phaseLine()})
	// The SDK's retries of a stage's AWS calls are that stage's notes: a
	// target that does not answer shows, instead of minutes of silence.
	reporting := func(ctx context.Context, s *stages.Stage) error {
		return run(bootstrap.WithRetryReporter(ctx, func(msg string) { c.note(s.Name, msg) }), s)
	}
	// Under --parallelism, the longest remaining path starts first, from
	// the durations on record (the last rebuild's or drill's, this one's).
	c.mu.Lock()
	took := timeline.Durations(c.ckpt)
	c.mu.Unlock()
	estimate := func(s *stages.Stage) time.Duration { return took[s.Name] }
	runner := &stages.Runner{Parallelism: c.opts.Parallelism, Run: reporting, Now: c.now, Estimate: estimate, OnEvent: func(e stages.Event) {
		r := c.record(e)
		if onEvent != nil {
			onEvent(e)
		}
		c.emitStage(e, r)
	}}
	return runner.Execute(ctx, c.pipeline)
}

// finish ends the run's record and emits run_finished with its outcome,
// the RTO clock and the critical path.
func (c *core) finish(res *stages.Result, err error) {
	out := events.OutcomeDone
	switch {
	case errors.Is(err, stages.ErrWaiting) || (err == nil && res != nil && res.Waiting()):
		out = events.OutcomeWaiting
	case err != nil && ctxErr(err):
		out = events.OutcomeInterrupted
	case err != nil:
		out = events.OutcomeFailed
	}
	now := c.now()
	c.endRun(now, string(out))
	end := &runEnd{outcome: out, took: now.Sub(c.runStart), rto: c.runClock(now), path: c.criticalPath()}
	c.mu.Lock()
	c.final = end
	c.mu.Unlock()
	e := events.Event{Type: events.RunFinished, Time: now.UTC(), Outcome: out, Duration: end.took, RTO: end.rto, CriticalPath: end.path}
	if err != nil && out != events.OutcomeWaiting {
		e.Error = err.Error()
	}
	c.bus.Emit(e)
}

// connectAhead starts connecting (the caller's identity and every
// account's, and the reads that go beside them) while the run does its
// local work (the checkpoint, the run lock, the engine): Connect only
// reads, and preflight uses the result, or its error.
func (c *core) connectAhead(ctx context.Context) {
	var wg sync.WaitGroup // not waited for: the read ends with the process at the latest
	ctx = bootstrap.WithRetryReporter(ctx, c.connectNotes.report)
	c.connecting = startRead(&wg, func() (*Connection, error) { return c.deps.Connect(ctx, c.cfg) })
}

// connection is the connection made ahead, or one made now; the retries
// it reported are preflight's notes from here on.
func (c *core) connection(ctx context.Context) (*Connection, error) {
	f := c.connecting
	if f == nil {
		return c.deps.Connect(ctx, c.cfg)
	}
	c.connecting = nil
	c.connectNotes.goLive(func(msg string) { c.note("preflight", msg) })
	select {
	case <-f.done:
		return f.v, f.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// preflight connects to the target and every account behind the guard
// and finds Terraform.
func (c *core) preflight(ctx context.Context) error {
	c.clearNotes("preflight")
	conn, err := c.connection(ctx)
	if err != nil {
		return err
	}
	c.noteAccounts(conn)
	c.conn = conn
	if err := c.findTerraform(ctx); err != nil {
		return err
	}
	c.note("preflight", fmt.Sprintf("%s at %s", c.engine, c.tfPath))
	return nil
}

// findTerraform finds the pinned Terraform, once. Apply calls it before
// it opens the checkpoint store: a missing binary or another version
// stops the run before anything is written (the DynamoDB store creates
// the lock table; the state stage, the bucket).
func (c *core) findTerraform(ctx context.Context) error {
	if c.tf != nil {
		return nil
	}
	tf, bin, err := c.deps.Terraform(ctx, c.cfg, filepath.Join(c.cfg.StateDir(), c.workDir), c.opts.Download)
	if err != nil {
		return err
	}
	c.tf, c.tfPath = newSeam(c, tf), bin.Path
	c.engine = engineLabel(c.cfg, bin)
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

// heldNotes holds notes until there is a stage to give them to.
type heldNotes struct {
	mu   sync.Mutex
	live func(string)
	held []string
}

func (n *heldNotes) report(msg string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.live != nil {
		n.live(msg)
		return
	}
	n.held = append(n.held, msg)
}

// goLive gives the notes held so far, and every later one, to live.
func (n *heldNotes) goLive(live func(string)) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, m := range n.held {
		live(m)
	}
	n.held, n.live = nil, live
}
