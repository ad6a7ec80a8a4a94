package rebuild

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/terraform"
)

// fakeCreds are one account's credentials: TerraformEnv names the account,
// WriteCredentialsFile writes a file that does the same.
type fakeCreds struct{ id string }

func (f fakeCreds) TerraformEnv(context.Context) (map[string]string, error) {
	return map[string]string{"AWS_ACCESS_KEY_ID": "key-of-" + f.id, "AWS_SESSION_TOKEN": ""}, nil
}

func (f fakeCreds) WriteCredentialsFile(_ context.Context, path, profile string) (func() error, error) {
	if err := os.WriteFile(path, []byte("["+profile+"]\naws_access_key_id = key-of-"+f.id+"\n"), 0o600); err != nil {
		return nil, err
	}
	return func() error { return os.Remove(path) }, nil
}

// workdirsIn puts a fake Terraform's work folders under root.
type workdirsIn struct {
	*fakeTF
	root string
}

func (w workdirsIn) Workdir(stack string) terraform.Workdir {
	return terraform.Workdir(filepath.Join(w.root, stack))
}

// A stack gets its own account's credentials before each command; one
// whose state is elsewhere also gets the state account's in its backend's
// file, which lives only while a call for the stack is under way.
func TestAccountsStackCredentials(t *testing.T) {
	t.Parallel()
	w := newAccountsWorld(t, accountsConfig)
	deps := w.deps()
	connect := deps.Connect
	deps.Connect = func(ctx context.Context, cfg *config.Config) (*Connection, error) {
		conn, err := connect(ctx, cfg)
		if err == nil {
			conn.Accounts[""].Credentials, conn.Accounts["mgmt"].Credentials = fakeCreds{"target"}, fakeCreds{"mgmt"}
		}
		return conn, err
	}
	root := t.TempDir()
	deps.Terraform = func(context.Context, *config.Config, string, bool) (Terraform, *terraform.Binary, error) {
		return workdirsIn{w.tf, root}, &terraform.Binary{Version: "1.11.4", Path: "/fake/terraform"}, nil
	}
	common := w.common()
	common.Deps = deps
	c := newCore(w.cfg, nil, common, "apply", "work")
	if err := c.preflight(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	app, base := w.cfg.Stack("app"), w.cfg.Stack("base")
	path := c.stateCredentialsPath(app)
	if !strings.HasPrefix(path, root) {
		t.Fatalf("credentials path %s is not in the work folders", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}

	env, err := c.stackCredentials(app)(ctx)
	if err != nil || env["AWS_ACCESS_KEY_ID"] != "key-of-target" {
		t.Fatalf("app's env: %v %v", env, err)
	}
	if b, err := os.ReadFile(path); err != nil || !strings.Contains(string(b), "key-of-mgmt") || !strings.HasPrefix(string(b), "["+StateProfile+"]") {
		t.Fatalf("app's state credentials file: %q %v", b, err)
	}
	env, err = c.stackCredentials(base)(ctx)
	if err != nil || env["AWS_ACCESS_KEY_ID"] != "key-of-mgmt" {
		t.Fatalf("base's env: %v %v", env, err)
	}
	if _, err := os.Stat(c.stateCredentialsPath(base)); !os.IsNotExist(err) {
		t.Errorf("base is in the state's account but got a credentials file: %v", err)
	}

	// Two calls for app overlap; the file goes with the last one.
	f := c.tf.(*seam)
	leaveFirst, leaveSecond := f.enter("app"), f.enter("app")
	leaveFirst()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the file went while a call was still under way: %v", err)
	}
	leaveSecond()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the file outlived the calls: %v", err)
	}
}

// renewing is an account's credentials renewed between two commands.
type renewing struct {
	mu sync.Mutex
	n  int
}

func (r *renewing) TerraformEnv(context.Context) (map[string]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	return map[string]string{"AWS_SESSION_TOKEN": "token-" + strings.Repeat("i", r.n)}, nil
}

func (r *renewing) WriteCredentialsFile(context.Context, string, string) (func() error, error) {
	return func() error { return nil }, nil
}

// Every command asks the session again, so a renewed token reaches the
// next command of a long apply instead of the one the stage started with.
func TestAccountsCredentialsAskedPerCommand(t *testing.T) {
	t.Parallel()
	w := newAccountsWorld(t, accountsConfig)
	c := newCore(w.cfg, nil, w.common(), "apply", "work")
	r := &renewing{}
	c.conn = &Connection{Accounts: map[string]*AccountSession{"mgmt": {Account: accountOf(w.cfg, "mgmt"), Cloud: w.mgmt, States: w.mgmt, Credentials: r}}}
	creds := c.tfStack(w.cfg.Stack("base")).Credentials
	if creds == nil {
		t.Fatal("a stack in an account with credentials got none")
	}
	first, _ := creds(context.Background())
	second, _ := creds(context.Background())
	if first["AWS_SESSION_TOKEN"] == second["AWS_SESSION_TOKEN"] {
		t.Errorf("the second command got the first one's credentials: %v", second)
	}
}

// Prepare starts no Terraform command and does not count as a call: the
// warm-up laying out a working copy never removes the credentials file a
// command of the stack is about to use.
func TestPrepareLeavesTheStateCredentialsFile(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	c := &core{}
	s := newSeam(c, workdirsIn{newFakeTF(), root})
	path := filepath.Join(string(s.Workdir("app")), stateCredentialsFile)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("[state]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.Prepare(context.Background(), terraform.Stack{Name: "app"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("Prepare removed the stack's credentials file: %v", err)
	}
	if err := s.Init(context.Background(), terraform.Stack{Name: "app"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the file outlived the last command of the stack: %v", err)
	}
}
