package rebuild

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/terraform"
	"github.com/tfrebuild/tfrebuild/tfstate"
)

// AccountSession is one guarded account of a rebuild: the session its
// state, registries or stacks are handled with, and the credentials its
// stacks' Terraform gets.
type AccountSession struct {
	// Account is the account as the guard checked it.
	Account  bootstrap.Account
	Identity bootstrap.Identity
	Cloud    Cloud
	// States reaches the state objects when the state lives in this
	// account.
	States States
	// Restorers bring data back in this account (restores of its stacks).
	Restorers Restorers
	// Credentials hand the account's credentials to Terraform. Nil leaves
	// Terraform the caller's own environment (the unit tests' fakes).
	Credentials Credentials
}

// Credentials is how an account's credentials reach Terraform: its
// environment for the providers and the backend, and a shared credentials
// file for a backend in another account. *bootstrap.Session implements it.
// What they return are secrets: never log, record or fingerprint them.
type Credentials interface {
	TerraformEnv(ctx context.Context) (map[string]string, error)
	WriteCredentialsFile(ctx context.Context, path, profile string) (remove func() error, err error)
}

// StateProfile is the profile of the credentials file a stack's backend
// reads when the state lives in another account than the stack.
const StateProfile = "tfrebuild-state"

// stateCredentialsFile is that file's name in the stack's work folder.
const stateCredentialsFile = "state-credentials"

// accountOf is the account a state, registry or stack block names ("" for
// the target), as the guard and the sessions take it.
func accountOf(cfg *config.Config, name string) bootstrap.Account {
	return bootstrap.AccountOf(cfg, name)
}

// account is the guarded session of the account a block names ("" for
// the target). A connection without per-account sessions (the unit
// tests' fakes) serves the target alone.
func (c *core) account(name string) (*AccountSession, error) {
	if c.conn == nil {
		return nil, fmt.Errorf("%s: not connected: preflight has not run", accountOf(c.cfg, name).Label())
	}
	if s := c.conn.Accounts[name]; s != nil {
		return s, nil
	}
	if name == "" && c.conn.Cloud != nil {
		return &AccountSession{Account: accountOf(c.cfg, ""), Identity: c.conn.Identity, Cloud: c.conn.Cloud, States: c.conn.States}, nil
	}
	return nil, fmt.Errorf("%s: preflight opened no session for it", accountOf(c.cfg, name).Label())
}

// stateAccount is the session of the account the state lives in.
func (c *core) stateAccount() (*AccountSession, error) { return c.account(c.cfg.State.Account) }

// splitState reports whether a stack runs in another account than its
// state: its backend then reaches the state through a credentials file
// of the state account's, while its environment holds its own account's.
func (c *core) splitState(st *config.Stack) bool { return st.Account != c.cfg.State.Account }

// stateCredentialsPath is where a stack's backend finds the state
// account's credentials. The path is stable, so that the backend settings
// (and the fingerprint) do not change from one command to the next.
func (c *core) stateCredentialsPath(st *config.Stack) string {
	if c.tf == nil {
		return filepath.Join(c.cfg.StateDir(), c.workDir, st.Name, stateCredentialsFile)
	}
	return filepath.Join(string(c.tf.Workdir(st.Name)), stateCredentialsFile)
}

// backend is the S3 backend of one stack: the state bucket in the state's
// account and region. Its credentials come from Terraform's environment
// (the stack's account, see stackCredentials), so it assumes no role of
// its own; when the state is in another account than the stack, it reads
// that account's credentials from a file (profile, shared_credentials_files).
func (c *core) backend(st *config.Stack) terraform.Backend {
	l := tfstate.Locate(c.cfg, st.Name)
	b := terraform.Backend{
		Bucket: l.Bucket, Key: l.Key, Region: l.Region,
		LockTable: l.LockTable, UseLockfile: l.UseLockfile, KMSKeyID: l.KMSKeyID,
	}
	if c.splitState(st) {
		b.Profile, b.SharedCredentialsFiles = StateProfile, []string{c.stateCredentialsPath(st)}
	}
	if c.conn != nil && len(c.conn.Endpoints) > 0 {
		b.Endpoints = map[string]string{}
		for svc, url := range c.conn.Endpoints {
			if svc != "ecr" {
				b.Endpoints[svc] = url
			}
		}
	}
	return b
}

// stackCredentials returns what terraform.Stack.Credentials calls before
// each Terraform command of a stack: the current credentials and region
// of the stack's account, renewed by the session's cache before they
// expire, so a long apply starts each command with fresh ones. When the
// state is in another account, it also writes that account's current
// credentials to the backend's file (0600); the seam (seam.go) removes it
// once no command of the stack is under way. Nil when the connection hands out no
// credentials: Terraform then keeps the caller's environment.
func (c *core) stackCredentials(st *config.Stack) func(ctx context.Context) (map[string]string, error) {
	acct, err := c.account(st.Account)
	if err != nil {
		return func(context.Context) (map[string]string, error) { return nil, err }
	}
	if acct.Credentials == nil {
		return nil
	}
	split, path := c.splitState(st), c.stateCredentialsPath(st)
	return func(ctx context.Context) (map[string]string, error) {
		env, err := acct.Credentials.TerraformEnv(ctx)
		if err != nil || !split {
			return env, err
		}
		state, err := c.stateAccount()
		if err != nil {
			return nil, err
		}
		if state.Credentials == nil {
			return nil, fmt.Errorf("%s: no credentials to hand to the backend of stack %s", state.Account.Label(), st.Name)
		}
		if _, err := state.Credentials.WriteCredentialsFile(ctx, path, StateProfile); err != nil {
			return nil, fmt.Errorf("stack %s: the state's credentials for its backend: %w", st.Name, err)
		}
		return env, nil
	}
}

// accountsFingerprint is what a stack's fingerprint takes from the
// accounts: where the stack is applied and where its state is. Moving
// either re-applies the stack.
func (c *core) accountsFingerprint(st *config.Stack) string {
	a, s := c.cfg.AccountFor(st.Account), c.cfg.AccountFor(c.cfg.State.Account)
	return fmt.Sprintf("stack account %s region %s; state account %s", a.AccountID, a.Region, s.AccountID)
}
