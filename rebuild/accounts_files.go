package rebuild

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/tfrebuild/tfrebuild/terraform"
)

// noteAccounts says, in the preflight notes, who the caller is in each
// account the guard checked: the target first, then the declared accounts.
func (c *core) noteAccounts(conn *Connection) {
	c.note("preflight", fmt.Sprintf("caller %s is in account %s; region %s", conn.Identity.ARN, conn.Identity.Account, c.cfg.Target.Region))
	for _, a := range c.cfg.Accounts {
		s := conn.Accounts[a.Name]
		if s == nil {
			continue
		}
		via := "the caller's credentials reach"
		if a.RoleARN != "" {
			via = "role " + a.RoleARN + " leads to"
		}
		c.note("preflight", fmt.Sprintf("%s: %s account %s as %s; region %s", s.Account.Label(), via, s.Identity.Account, s.Identity.ARN, a.Region))
	}
}

// stateFiles is Terraform with the state credentials files kept short-
// lived: a stack's file (written before each of its Terraform commands by
// stackCredentials) is removed as soon as no call for the stack is under
// way. Calls for one stack may overlap (init ahead and the stack's own
// stage), hence the count: removing the file under a running command would
// pull the credentials from under its backend.
type stateFiles struct {
	Terraform
	mu   sync.Mutex
	busy map[string]int
}

// withStateFiles wraps tf, first removing any state credentials file a
// killed run left in the work folders.
func (c *core) withStateFiles(tf Terraform) Terraform {
	if tf == nil {
		return nil
	}
	left, _ := filepath.Glob(filepath.Join(c.cfg.StateDir(), c.workDir, "*", stateCredentialsFile))
	for _, path := range left {
		_ = os.Remove(path)
	}
	return &stateFiles{Terraform: tf, busy: map[string]int{}}
}

// enter counts a call for a stack under way; the function it returns ends
// it, and removes the stack's file when it was the last.
func (f *stateFiles) enter(stack string) func() {
	f.mu.Lock()
	f.busy[stack]++
	f.mu.Unlock()
	return func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.busy[stack]--; f.busy[stack] == 0 {
			_ = os.Remove(filepath.Join(string(f.Terraform.Workdir(stack)), stateCredentialsFile))
		}
	}
}

func (f *stateFiles) Init(ctx context.Context, s terraform.Stack) error {
	defer f.enter(s.Name)()
	return f.Terraform.Init(ctx, s)
}

func (f *stateFiles) Apply(ctx context.Context, s terraform.Stack) (*terraform.Result, error) {
	defer f.enter(s.Name)()
	return f.Terraform.Apply(ctx, s)
}

func (f *stateFiles) Plan(ctx context.Context, s terraform.Stack) (*terraform.PlanResult, error) {
	defer f.enter(s.Name)()
	return f.Terraform.Plan(ctx, s)
}

func (f *stateFiles) Destroy(ctx context.Context, s terraform.Stack) (bool, error) {
	defer f.enter(s.Name)()
	return f.Terraform.Destroy(ctx, s)
}

func (f *stateFiles) Outputs(ctx context.Context, s terraform.Stack) (terraform.Outputs, error) {
	defer f.enter(s.Name)()
	return f.Terraform.Outputs(ctx, s)
}

func (f *stateFiles) ForceUnlock(ctx context.Context, s terraform.Stack, lockID string) error {
	defer f.enter(s.Name)()
	return f.Terraform.ForceUnlock(ctx, s, lockID)
}

// StateHas and Import pass a restore's import through, counted like the
// other calls, when the wrapped Terraform can import at all.
func (f *stateFiles) StateHas(ctx context.Context, s terraform.Stack, address string) (bool, error) {
	imp, ok := f.Terraform.(importer)
	if !ok {
		return false, errCannotImport
	}
	defer f.enter(s.Name)()
	return imp.StateHas(ctx, s, address)
}

func (f *stateFiles) Import(ctx context.Context, s terraform.Stack, address, id string) error {
	imp, ok := f.Terraform.(importer)
	if !ok {
		return errCannotImport
	}
	defer f.enter(s.Name)()
	return imp.Import(ctx, s, address, id)
}
