package rebuild

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/checkpoint"
	ckfile "github.com/tfrebuild/tfrebuild/checkpoint/file"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/stages"
	"github.com/tfrebuild/tfrebuild/tfstate"
)

// accountsConfig keeps the state and a registry in a management account,
// one stack there and one in the target.
const accountsConfig = `project = "p"
target {
  account_id = "123456789012"
  region     = "eu-west-2"
}
account "mgmt" {
  account_id = "111111111111"
  region     = "eu-west-1"
  role_arn   = "arn:aws:iam::111111111111:role/x"
}
state {
  account    = account.mgmt
  bucket     = "p-tfstate"
  lock_table = "p-lock"
}
registry "app" {
  account = account.mgmt
  name    = "p-app"
}
registry "local" {
  name = "p-local"
}
stack "base" {
  source  = "stacks/base"
  account = account.mgmt
}
stack "app" {
  source     = "stacks/app"
  depends_on = [stack.base]
  inputs     = { id = stack.base.outputs.id }
}
`

// acctCloud is one account's fake session: a fakeCloud that also records
// the account ids and pull accounts it was asked about.
type acctCloud struct {
	*fakeCloud
	mu       sync.Mutex
	accounts []string
	pull     map[string][]string
	regs     []string
}

func newAcctCloud() *acctCloud {
	return &acctCloud{fakeCloud: &fakeCloud{noState: map[string]bool{}}, pull: map[string][]string{}}
}

func (a *acctCloud) saw(account string) {
	a.mu.Lock()
	a.accounts = append(a.accounts, account)
	a.mu.Unlock()
}

func (a *acctCloud) EnsureBucket(ctx context.Context, account string, st config.State, o bootstrap.Options) (*bootstrap.Report, error) {
	a.saw(account)
	return a.fakeCloud.EnsureBucket(ctx, account, st, o)
}

func (a *acctCloud) EnsureRegistries(ctx context.Context, regs []*config.Registry, o bootstrap.Options) (*bootstrap.Report, error) {
	a.mu.Lock()
	for _, r := range regs {
		a.regs = append(a.regs, r.Name)
		a.pull[r.Name] = o.PullAccounts[r.Name]
	}
	a.mu.Unlock()
	return a.fakeCloud.EnsureRegistries(ctx, regs, o)
}

func (a *acctCloud) DeleteRegistries(ctx context.Context, regs []*config.Registry, o bootstrap.Options) (*bootstrap.Report, error) {
	a.mu.Lock()
	for _, r := range regs {
		a.regs = append(a.regs, "delete "+r.Name)
	}
	a.mu.Unlock()
	return a.fakeCloud.DeleteRegistries(ctx, regs, o)
}

func (a *acctCloud) DeleteState(ctx context.Context, account string, st config.State, o bootstrap.Options) (*bootstrap.Report, error) {
	a.saw(account)
	return a.fakeCloud.DeleteState(ctx, account, st, o)
}

func (a *acctCloud) Exists(ctx context.Context, l tfstate.Location) (bool, error) {
	a.saw(l.Owner)
	return a.fakeCloud.Exists(ctx, l)
}

// accountsWorld is a world whose connection has a session per account.
type accountsWorld struct {
	*world
	target, mgmt *acctCloud
}

func newAccountsWorld(t *testing.T, cfgText string) *accountsWorld {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"rebuild.hcl":         cfgText,
		"stacks/base/main.tf": backend + "output \"id\" {\n  value = \"b-1\"\n}\n",
		"stacks/app/main.tf":  backend + "variable \"id\" {\n  type = string\n}\n",
	}
	cfg := loadTree(t, dir, files)
	w := &accountsWorld{world: &world{t: t, cfg: cfg, tf: newFakeTF(), sink: &recorder{},
		store: &ckfile.Store{Path: filepath.Join(dir, ".tfrebuild", "checkpoint.json")}},
		target: newAcctCloud(), mgmt: newAcctCloud()}
	w.cloud = w.target.fakeCloud
	w.target.tf, w.mgmt.tf = w.tf, w.tf
	w.tf.outputs["base"] = map[string]cty.Value{"id": cty.StringVal("b-1")}
	return w
}

func (w *accountsWorld) deps() Deps {
	d := w.world.deps()
	d.Connect = func(context.Context, *config.Config) (*Connection, error) {
		tid := bootstrap.Identity{Account: "123456789012", ARN: "arn:aws:iam::123456789012:user/t"}
		mid := bootstrap.Identity{Account: "111111111111", ARN: "arn:aws:sts::111111111111:assumed-role/x/tfrebuild-p"}
		return &Connection{Cloud: w.target, States: w.target, Identity: tid, Accounts: map[string]*AccountSession{
			"":     {Account: accountOf(w.cfg, ""), Identity: tid, Cloud: w.target, States: w.target},
			"mgmt": {Account: accountOf(w.cfg, "mgmt"), Identity: mid, Cloud: w.mgmt, States: w.mgmt},
		}}, nil
	}
	return d
}

func (w *accountsWorld) common() Common {
	c := w.world.common()
	c.Deps = w.deps()
	return c
}

// The state and the management registry are created in the management
// account, the target's registry in the target; the registry kept away
// from the workloads lets the target pull; stacks' state is looked up in
// the state's account.
func TestAccountsStateAndRegistriesInTheirAccounts(t *testing.T) {
	t.Parallel()
	w := newAccountsWorld(t, accountsConfig)
	if _, err := Apply(context.Background(), w.cfg, ApplyOptions{Common: w.common()}); err != nil {
		t.Fatal(err)
	}
	if w.target.called("EnsureBucket") != 0 || w.mgmt.called("EnsureBucket") != 1 || w.mgmt.called("EnsureLockTable") != 1 {
		t.Errorf("state calls: target %v, mgmt %v", w.target.calls, w.mgmt.calls)
	}
	// The bucket, and each stack's state looked up before its apply.
	if len(w.mgmt.accounts) == 0 || slices.ContainsFunc(w.mgmt.accounts, func(a string) bool { return a != "111111111111" }) {
		t.Errorf("the bucket's expected owner: %v, want the management account", w.mgmt.accounts)
	}
	if !slices.Equal(w.mgmt.regs, []string{"p-app"}) || !slices.Equal(w.target.regs, []string{"p-local"}) {
		t.Errorf("registries: mgmt %v, target %v", w.mgmt.regs, w.target.regs)
	}
	if got := w.mgmt.pull["p-app"]; !slices.Equal(got, []string{"123456789012"}) {
		t.Errorf("p-app pull accounts %v, want the target", got)
	}
	if got := w.target.pull["p-local"]; len(got) != 0 {
		t.Errorf("p-local pull accounts %v, want none", got)
	}
	notes := strings.Join(w.checkpoint().Stage("preflight").Notes, "\n")
	if !strings.Contains(notes, `account "mgmt": role arn:aws:iam::111111111111:role/x leads to account 111111111111`) {
		t.Errorf("preflight notes do not name the management account:\n%s", notes)
	}
	if n := strings.Join(w.checkpoint().Stage("state").Notes, "\n"); !strings.Contains(n, `in account "mgmt" (111111111111, eu-west-1)`) {
		t.Errorf("state notes do not say where: %s", n)
	}

	// Plan asks the state's account whether each stack has a state.
	before := w.mgmt.called("StateExists")
	if _, err := Plan(context.Background(), w.cfg, PlanOptions{Common: w.common()}); err != nil {
		t.Fatal(err)
	}
	if w.mgmt.called("StateExists")-before != 2 || w.target.called("StateExists") != 0 {
		t.Errorf("StateExists: mgmt %d, target %d", w.mgmt.called("StateExists")-before, w.target.called("StateExists"))
	}
}

// destroy --all deletes each registry through its own account's session,
// and the state in the state's account.
func TestAccountsDestroyThroughTheSameSessions(t *testing.T) {
	t.Parallel()
	w := newAccountsWorld(t, accountsConfig)
	if _, err := Apply(context.Background(), w.cfg, ApplyOptions{Common: w.common()}); err != nil {
		t.Fatal(err)
	}
	if _, err := Destroy(context.Background(), w.cfg, DestroyOptions{Common: w.common(), All: true}); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(w.mgmt.regs, "delete p-app") || slices.Contains(w.mgmt.regs, "delete p-local") ||
		!slices.Contains(w.target.regs, "delete p-local") || slices.Contains(w.target.regs, "delete p-app") {
		t.Errorf("deletions: mgmt %v, target %v", w.mgmt.regs, w.target.regs)
	}
	if w.mgmt.called("DeleteState:p-lock") != 1 || w.target.called("DeleteState:p-lock") != 0 {
		t.Errorf("DeleteState: mgmt %v, target %v", w.mgmt.calls, w.target.calls)
	}
	if last := w.mgmt.accounts[len(w.mgmt.accounts)-1]; last != "111111111111" {
		t.Errorf("DeleteState expected owner %s", last)
	}
}

// A stack's backend is in the state's account and region, and assumes no
// role of the target's: Terraform's environment carries the credentials.
func TestAccountsBackendIsTheStateAccounts(t *testing.T) {
	t.Parallel()
	text := strings.Replace(accountsConfig, `region     = "eu-west-2"`, "region     = \"eu-west-2\"\n  role_arn   = \"arn:aws:iam::123456789012:role/t\"", 1)
	w := newAccountsWorld(t, text)
	c := newCore(w.cfg, nil, w.common(), "apply", "work")
	if err := c.preflight(context.Background()); err != nil {
		t.Fatal(err)
	}
	b := c.backend(w.cfg.Stack("app"))
	if b.Region != "eu-west-1" || b.RoleARN != "" || b.ExternalID != "" || b.Bucket != "p-tfstate" {
		t.Errorf("backend: %+v", b)
	}
	// app runs in the target, its state is in mgmt: the backend reads the
	// state account's credentials from the file; base, in mgmt, needs none.
	if b.Profile != StateProfile || !slices.Equal(b.SharedCredentialsFiles, []string{c.stateCredentialsPath(w.cfg.Stack("app"))}) {
		t.Errorf("app's backend does not name the state credentials file: %+v", b)
	}
	if b := c.backend(w.cfg.Stack("base")); b.Profile != "" || len(b.SharedCredentialsFiles) != 0 {
		t.Errorf("base's backend names a credentials file: %+v", b)
	}
}

// Moving a stack or its state to another account changes its fingerprint.
func TestAccountsInTheFingerprint(t *testing.T) {
	t.Parallel()
	w := newAccountsWorld(t, accountsConfig)
	c := newCore(w.cfg, nil, w.common(), "apply", "work")
	base, app := c.accountsFingerprint(w.cfg.Stack("base")), c.accountsFingerprint(w.cfg.Stack("app"))
	if base == app {
		t.Errorf("stacks in two accounts share %q", base)
	}
	w.cfg.State.Account = ""
	if moved := c.accountsFingerprint(w.cfg.Stack("app")); moved == app {
		t.Errorf("moving the state left the fingerprint %q", moved)
	}
}

// A run that died while app (a stack of the target) ran left a lock on
// app's state, which lives in the management account: the next run reads
// it there, and releases it there, with that account's credentials.
func TestAccountsStaleLockReleasedInTheStateAccount(t *testing.T) {
	t.Parallel()
	w := newAccountsWorld(t, accountsConfig)
	if _, err := Apply(context.Background(), w.cfg, ApplyOptions{Common: w.common()}); err != nil {
		t.Fatal(err)
	}
	started := time.Now().UTC().Add(-time.Minute)
	c := w.checkpoint()
	c.Run = &checkpoint.Holder{RunID: "dead", User: "ann", Host: "h1", PID: 1}
	rec := c.Stage("stack.app")
	rec.Status, rec.StartedAt = stages.Running, &started
	if err := w.store.Save(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	w.mgmt.lock = &tfstate.LockInfo{ID: "dead-m", Who: "ann@h1", Created: started.Add(time.Second)}
	if _, err := Apply(context.Background(), w.cfg, ApplyOptions{Common: w.common()}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(w.mgmt.unlocked, []string{"dead-m"}) || len(w.target.unlocked) != 0 || w.target.called("StateLock") != 0 {
		t.Errorf("released in mgmt %v, in the target %v (target asked for locks %d times)", w.mgmt.unlocked, w.target.unlocked, w.target.called("StateLock"))
	}
}

// #21.4: an engine command on a state kept in another account, printed
// for a person, says whose credentials to run it with.
func TestStateCommandsNameTheStateAccount(t *testing.T) {
	t.Parallel()
	w := newAccountsWorld(t, accountsConfig)
	c := newCore(w.cfg, nil, w.common(), "apply", "work")
	c.tf = newSeam(c, w.tf)
	got := c.stateCommand("app", "force-unlock", "-force", "ID")
	if !strings.HasPrefix(got, "engine -chdir=/work/app/src force-unlock -force ID  # with credentials for account mgmt (") {
		t.Errorf("force-unlock for a state in mgmt: %s", got)
	}
	w.cfg.State.Account = ""
	if got := c.stateCommand("app", "state", "push", "f"); strings.Contains(got, "#") {
		t.Errorf("a state in the target needs no note: %s", got)
	}
}
