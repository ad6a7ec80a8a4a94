package rebuild

import (
	"context"
	"fmt"
	"time"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/lease"
	"github.com/tfrebuild/tfrebuild/terraform"
	"github.com/tfrebuild/tfrebuild/tfstate"
)

// Cloud is the part of the AWS session the engine calls: the bootstrap of
// the state, registries and their teardown. *bootstrap.Session implements
// it. The state objects themselves are reached through States.
type Cloud interface {
	EnsureBucket(ctx context.Context, account string, st config.State, opts bootstrap.Options) (*bootstrap.Report, error)
	EnsureLockTable(ctx context.Context, table string, opts bootstrap.Options) (*bootstrap.Report, error)
	EnsureRegistries(ctx context.Context, regs []*config.Registry, opts bootstrap.Options) (*bootstrap.Report, error)
	DeleteRegistries(ctx context.Context, regs []*config.Registry, opts bootstrap.Options) (*bootstrap.Report, error)
	DeleteState(ctx context.Context, account string, st config.State, opts bootstrap.Options) (*bootstrap.Report, error)
	// OwnState proves the state bucket, if it exists, is the account's.
	OwnState(ctx context.Context, account string, st config.State) (bool, error)
	// RunLease proves the same and returns where the run lease lives; nil
	// while the state's backend does not exist.
	RunLease(ctx context.Context, account string, st config.State, project, region string) (lease.Store, error)
}

// States is what the engine asks of the stacks' state objects in the state
// bucket, through the session of the account the state lives in: read one
// (with its version), whether it exists, its lock, and releasing a lock
// whose holder is gone. *tfstate.Client implements it.
type States interface {
	Read(ctx context.Context, l tfstate.Location) (tfstate.Object, error)
	Exists(ctx context.Context, l tfstate.Location) (bool, error)
	Lock(ctx context.Context, l tfstate.Location) (*tfstate.LockInfo, error)
	ForceUnlock(ctx context.Context, l tfstate.Location, lockID string) error
	// Versions lists the object's versions, newest first (a lost state's
	// earlier versions, for the user to restore one).
	Versions(ctx context.Context, l tfstate.Location) ([]tfstate.Version, error)
	// Acquire takes the state's lock under an ID of the caller's own.
	Acquire(ctx context.Context, l tfstate.Location, info tfstate.LockInfo, note string, wait time.Duration) error
	// Release releases a lock Acquire took with the same arguments.
	Release(ctx context.Context, l tfstate.Location, info tfstate.LockInfo, note string) error
}

var _ States = (*tfstate.Client)(nil)

// Terraform is what the engine asks of Terraform (or OpenTofu), one stack
// at a time: all of it and nothing more (outputs and state locks are read
// and released through the state object, States), so that the real runner, the engine's one wrapper
// (seam.go) and a test's fake implement the same thing. *terraform.Runner
// implements it.
type Terraform interface {
	// Prepare lays out the stack's working copy and starts no command.
	Prepare(ctx context.Context, s terraform.Stack) error
	Init(ctx context.Context, s terraform.Stack) error
	Apply(ctx context.Context, s terraform.Stack) (*terraform.Result, error)
	Plan(ctx context.Context, s terraform.Stack) (*terraform.PlanResult, error)
	Destroy(ctx context.Context, s terraform.Stack) (bool, error)
	// Import adopts an existing object (a restored table) at address.
	Import(ctx context.Context, s terraform.Stack, address, id string) error
	Workdir(stack string) terraform.Workdir
	// Command is a command line a user can type to run the engine on a
	// stack's working copy, for hints in errors.
	Command(stack string, args ...string) string
	Close() error
}

// Connection is the guarded sessions of a rebuild: the target's, and one
// per declared account.
type Connection struct {
	// Cloud, States and Identity are the target's.
	Cloud    Cloud
	States   States
	Identity bootstrap.Identity
	// Endpoints are the endpoint overrides the backend must use too.
	Endpoints map[string]string
	// Accounts are the sessions by account block name, "" for the target.
	// Without them (a connection to the target alone) every block must be
	// in the target.
	Accounts map[string]*AccountSession
	// Restorers bring data back (restore stages) on the target's session.
	Restorers Restorers
}

// Deps are the engine's collaborators. The command builds the real ones
// (cmd/tfrebuild/wire.go) and passes them in; the unit tests pass fakes.
type Deps struct {
	// Connect opens a session with the target and every declared account
	// and runs the guard over all of them: nothing is written anywhere
	// before it returns.
	Connect func(ctx context.Context, cfg *config.Config) (*Connection, error)
	// Terraform finds the pinned engine (Terraform or OpenTofu) and returns
	// a runner whose work folders are under workRoot.
	Terraform func(ctx context.Context, cfg *config.Config, workRoot string, download bool) (Terraform, *terraform.Binary, error)
	// Store opens the checkpoint store; forWrite creates what it needs.
	// Read-only callers get a nil store when there is none yet.
	Store func(ctx context.Context, cfg *config.Config, forWrite bool) (checkpoint.Store, error)
}

// errNotWired is a collaborator the caller did not pass: cmd/tfrebuild
// wires the real ones (wire.go), tests their fakes.
func errNotWired(what string) error {
	return fmt.Errorf("rebuild: Deps.%s is not set: the command wires the real one", what)
}

// wiredOrErr returns the deps with every missing collaborator replaced by
// one that fails, saying which.
func (d Deps) wiredOrErr() Deps {
	if d.Connect == nil {
		d.Connect = func(context.Context, *config.Config) (*Connection, error) { return nil, errNotWired("Connect") }
	}
	if d.Terraform == nil {
		d.Terraform = func(context.Context, *config.Config, string, bool) (Terraform, *terraform.Binary, error) {
			return nil, nil, errNotWired("Terraform")
		}
	}
	if d.Store == nil {
		d.Store = func(context.Context, *config.Config, bool) (checkpoint.Store, error) {
			return nil, errNotWired("Store")
		}
	}
	return d
}

// TerraformInstalled reports, without downloading or any cloud call,
// whether the Terraform the config pins is on this machine: validate
// warns when apply --no-download would stop at preflight.
func TerraformInstalled(ctx context.Context, cfg *config.Config) error {
	_, err := terraform.FindEngine(ctx, terraform.Engine{Name: cfg.Terraform.EngineName(), Version: cfg.Terraform.Version, Path: cfg.Terraform.Path}, terraform.InstalledOnly)
	return err
}
