package rebuild

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/checkpoint"
	ckddb "github.com/tfrebuild/tfrebuild/checkpoint/dynamodb"
	ckfile "github.com/tfrebuild/tfrebuild/checkpoint/file"
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
}

var _ States = (*tfstate.Client)(nil)

// Terraform is what the engine asks of Terraform (or OpenTofu), one stack
// at a time. *terraform.Runner implements it.
type Terraform interface {
	Init(ctx context.Context, s terraform.Stack) error
	Apply(ctx context.Context, s terraform.Stack) (*terraform.Result, error)
	Plan(ctx context.Context, s terraform.Stack) (*terraform.PlanResult, error)
	Destroy(ctx context.Context, s terraform.Stack) (bool, error)
	Outputs(ctx context.Context, s terraform.Stack) (terraform.Outputs, error)
	ForceUnlock(ctx context.Context, s terraform.Stack, lockID string) error
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

// Deps are the engine's collaborators. The zero value uses the real ones;
// tests replace them.
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

func (d Deps) withDefaults() Deps {
	if d.Connect == nil {
		d.Connect = connect
	}
	if d.Terraform == nil {
		d.Terraform = findTerraform
	}
	if d.Store == nil {
		d.Store = openStore
	}
	return d
}

func connect(ctx context.Context, cfg *config.Config) (*Connection, error) {
	ss, ids, err := guardedSessions(ctx, cfg)
	if err != nil {
		return nil, err
	}
	conn := &Connection{Identity: ids[""], Accounts: map[string]*AccountSession{}}
	names := []string{""}
	for _, a := range cfg.Accounts {
		names = append(names, a.Name)
	}
	for _, name := range names {
		s, err := ss.For(accountOf(cfg, name))
		if err != nil {
			return nil, err
		}
		states := &tfstate.Client{S3: s.S3, DDB: s.DDB}
		conn.Accounts[name] = &AccountSession{Account: s.Account, Identity: ids[name], Cloud: s, States: states, Credentials: s}
		if name == "" {
			conn.Cloud, conn.States, conn.Endpoints, conn.Restorers = s, states, s.Endpoints, sessionRestorers{s}
		}
	}
	return conn, nil
}

func findTerraform(ctx context.Context, cfg *config.Config, workRoot string, download bool) (Terraform, *terraform.Binary, error) {
	e := terraform.Engine{Name: cfg.Terraform.EngineName(), Version: cfg.Terraform.Version, Path: cfg.Terraform.Path}
	bin, err := terraform.FindEngine(ctx, e, download)
	if err != nil {
		return nil, nil, err
	}
	return &terraform.Runner{Binary: bin, WorkRoot: workRoot, PluginCache: filepath.Join(cfg.StateDir(), "plugin-cache"),
		LockTimeout: cfg.Terraform.LockTimeout}, bin, nil
}

// openStore returns the checkpoint store the config selects. The
// DynamoDB store is the lock table in the state's account. Before it is
// opened, the guard checks the target and every account, since forWrite
// creates the table when it is missing: the run lock and the checkpoint
// live there from the very first stage. Read-only callers (status) get a
// nil store when the table does not exist yet.
func openStore(ctx context.Context, cfg *config.Config, forWrite bool) (checkpoint.Store, error) {
	if cfg.Checkpoint.Store != "dynamodb" {
		return &ckfile.Store{Path: filepath.Join(cfg.StateDir(), "checkpoint.json")}, nil
	}
	ss, _, err := guardedSessions(ctx, cfg)
	if err != nil {
		return nil, err
	}
	s, err := ss.For(accountOf(cfg, cfg.State.Account))
	if err != nil {
		return nil, err
	}
	if forWrite {
		opts := ownerOptions(cfg)
		opts.Converge = true
		if _, err := s.EnsureLockTable(ctx, cfg.State.LockTable, opts); err != nil {
			return nil, fmt.Errorf("checkpoint store: %w", err)
		}
	} else if exists, err := s.TableExists(ctx, cfg.State.LockTable); err != nil || !exists {
		return nil, err
	}
	key := fmt.Sprintf("%s/%s/%s", cfg.Project, cfg.Target.AccountID, cfg.Target.Region)
	return &ckddb.Store{DB: s.DDB, Table: cfg.State.LockTable, Key: key}, nil
}

// TerraformInstalled reports, without downloading or any cloud call,
// whether the Terraform the config pins is on this machine: validate
// warns when apply --no-download would stop at preflight.
func TerraformInstalled(ctx context.Context, cfg *config.Config) error {
	_, err := terraform.Find(ctx, cfg.Terraform.Version, false)
	return err
}
