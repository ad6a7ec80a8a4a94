package rebuild

import (
	"context"
	"maps"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/lease"
	"github.com/tfrebuild/tfrebuild/terraform"
	"github.com/tfrebuild/tfrebuild/tfstate"
)

// fakeCloud stands in for the AWS session: it records what was asked.
type fakeCloud struct {
	mu       sync.Mutex
	calls    []string
	opts     []bootstrap.Options
	drift    bool
	lock     *tfstate.LockInfo
	unlocked []string        // lock IDs released
	noState  map[string]bool // state keys that do not exist
	// tf, when set, holds the stacks' states: Read renders them.
	tf       *fakeTF
	bucketEr error
	leases   *memLease // where the run lease lives
	// beside makes the run lease able to take state locks with it
	// (lease.BesideStore); withLease are the locks so taken, by the
	// lock's bucket/key, and acquired the lock IDs Acquire took.
	beside    bool
	withLease map[string]string
	acquired  []string
	// lostAnswer makes the lease's transaction land and answer as if
	// refused (a retry meeting its own records).
	lostAnswer bool
	// leaseTimesOut makes it land and then fail, as retries that ran out.
	leaseTimesOut bool
	held          map[string]bool // state locks this run took (Acquire)
	// versions are what Versions lists for every state object.
	versions []tfstate.Version
	// hook, when set, is called with each call's name, outside the lock.
	hook func(name string)
}

func (f *fakeCloud) call(name string, o bootstrap.Options) {
	f.mu.Lock()
	f.calls = append(f.calls, name)
	f.opts = append(f.opts, o)
	hook := f.hook
	f.mu.Unlock()
	if hook != nil {
		hook(name)
	}
}

// callsAfter makes every call of method wait, up to 30 seconds (a
// failure, said with why), until first has been called: a test that the
// reads behind first are made ahead of what calls method.
func (f *fakeCloud) callsAfter(t *testing.T, method, first, why string) {
	called := make(chan struct{})
	var once sync.Once
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hook = func(name string) {
		switch name {
		case first:
			once.Do(func() { close(called) })
		case method:
			select {
			case <-called:
			case <-time.After(30 * time.Second): // only a failure waits this long
				t.Error(why)
			}
		}
	}
}

// callsOf returns the options of each call of one method.
func (f *fakeCloud) callsOf(name string) []bootstrap.Options {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []bootstrap.Options
	for i, c := range f.calls {
		if c == name {
			out = append(out, f.opts[i])
		}
	}
	return out
}

func (f *fakeCloud) called(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c == name {
			n++
		}
	}
	return n
}

func (f *fakeCloud) EnsureBucket(_ context.Context, _ string, st config.State, o bootstrap.Options) (*bootstrap.Report, error) {
	f.call("EnsureBucket", o)
	rep := &bootstrap.Report{Changes: []bootstrap.Change{{Resource: "s3://" + st.Bucket, Action: bootstrap.Create, Detail: "state bucket", Applied: !o.DryRun}}}
	if f.drift {
		rep.Changes = []bootstrap.Change{{Resource: "s3://" + st.Bucket, Action: bootstrap.Drift, Detail: "versioning is off"}}
		if o.DriftLater && !o.Repair && !o.Converge {
			drift := rep.Changes
			rep.Changes = nil
			rep.Later = func(context.Context) (*bootstrap.Report, error) {
				return &bootstrap.Report{Changes: drift}, nil
			}
		}
	}
	return rep, f.bucketEr
}

func (f *fakeCloud) EnsureLockTable(_ context.Context, _ string, o bootstrap.Options) (*bootstrap.Report, error) {
	f.call("EnsureLockTable", o)
	return &bootstrap.Report{}, nil
}

func (f *fakeCloud) EnsureRegistries(_ context.Context, _ []*config.Registry, o bootstrap.Options) (*bootstrap.Report, error) {
	f.call("EnsureRegistries", o)
	return nil, nil
}

func (f *fakeCloud) DeleteRegistries(_ context.Context, _ []*config.Registry, o bootstrap.Options) (*bootstrap.Report, error) {
	f.call("DeleteRegistries", o)
	return &bootstrap.Report{Changes: []bootstrap.Change{{Resource: "ecr:app", Action: bootstrap.Delete, Applied: true}}}, nil
}

func (f *fakeCloud) DeleteState(_ context.Context, _ string, st config.State, o bootstrap.Options) (*bootstrap.Report, error) {
	f.call("DeleteState:"+st.LockTable, o)
	return nil, nil
}

// fakeTF stands in for Terraform: a stack's state is the outputs of its
// last apply.
type fakeTF struct {
	mu      sync.Mutex
	outputs map[string]map[string]cty.Value // what an apply of a stack yields
	state   map[string]map[string]cty.Value
	applied []string
	fail    map[string]error
	vars    map[string]map[string]cty.Value
	addrs   map[string][]string // resource addresses in a stack's state (imports)
	// printsOutputs: the apply's result carries the outputs, as an
	// apply that prints them all (none sensitive) does.
	printsOutputs bool
	// hook, when set, is called with the stack of each apply.
	hook func(stack string)
}

func newFakeTF() *fakeTF {
	return &fakeTF{outputs: map[string]map[string]cty.Value{}, state: map[string]map[string]cty.Value{}, addrs: map[string][]string{},
		fail: map[string]error{}, vars: map[string]map[string]cty.Value{}}
}

func (f *fakeTF) Init(context.Context, terraform.Stack) error { return nil }

func (f *fakeTF) Apply(_ context.Context, s terraform.Stack) (*terraform.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.applied = append(f.applied, s.Name)
	f.vars[s.Name] = s.Vars
	if f.hook != nil {
		f.hook(s.Name)
	}
	if err := f.fail[s.Name]; err != nil {
		return nil, err
	}
	f.state[s.Name] = f.outputs[s.Name]
	res := &terraform.Result{Changed: true}
	if f.printsOutputs {
		res.Outputs = &terraform.Outputs{Values: maps.Clone(f.outputs[s.Name]), Sensitive: map[string]bool{}}
	}
	return res, nil
}

func (f *fakeTF) Plan(_ context.Context, s terraform.Stack) (*terraform.PlanResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.vars[s.Name] = s.Vars
	if err := f.fail[s.Name]; err != nil {
		return nil, err
	}
	res := &terraform.PlanResult{Changes: []terraform.Change{{Address: "terraform_data." + s.Name, Action: "create"}},
		Unknown: map[string]bool{}, Outputs: map[string]cty.Value{}}
	for n := range f.outputs[s.Name] {
		res.Unknown[n] = true
	}
	return res, nil
}

func (f *fakeTF) Destroy(_ context.Context, s terraform.Stack) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.applied = append(f.applied, "destroy "+s.Name)
	delete(f.state, s.Name)
	return true, nil
}

func (f *fakeTF) Prepare(context.Context, terraform.Stack) error { return nil }

// Import adopts address into the stack's fake state.
func (f *fakeTF) Import(_ context.Context, s terraform.Stack, address, _ string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.applied = append(f.applied, "import "+address)
	f.addrs[s.Name] = append(f.addrs[s.Name], address)
	return nil
}

func (f *fakeTF) Workdir(stack string) terraform.Workdir { return terraform.Workdir("/work/" + stack) }
func (f *fakeTF) Close() error                           { return nil }
func (f *fakeTF) Command(stack string, args ...string) string {
	line := "engine -chdir=/work/" + stack + "/src"
	for _, a := range args {
		line += " " + a
	}
	return line
}

func (f *fakeTF) appliedList() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.applied...)
}

// recorder is an events.Sink that keeps every event.
type recorder struct {
	mu  sync.Mutex
	evs []events.Event
}

func (r *recorder) Emit(e events.Event) {
	r.mu.Lock()
	r.evs = append(r.evs, e)
	r.mu.Unlock()
}

// of returns the events of one type, or every event for "".
func (r *recorder) of(t events.Type) []events.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []events.Event
	for _, e := range r.evs {
		if e.Type == t || t == "" {
			out = append(out, e)
		}
	}
	return out
}

// OwnState and RunLease: the fake's state bucket is always the target's,
// and its run lease lives in memory.
func (f *fakeCloud) OwnState(context.Context, string, config.State) (bool, error) { return true, nil }

func (f *fakeCloud) RunLease(context.Context, string, config.State, string, string) (lease.Store, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.leases == nil {
		f.leases = &memLease{}
	}
	if f.beside {
		return &besideLease{memLease: f.leases, cloud: f}, nil
	}
	return f.leases, nil
}

// memLease is a lease.Store in memory, versioned like the real ones.
type memLease struct {
	mu  sync.Mutex
	h   *checkpoint.Holder
	ver int
	// deleted, when set, is closed the first time the record is deleted.
	deleted     chan struct{}
	deletedOnce sync.Once
}

func (m *memLease) Where() string { return "memory" }

func (m *memLease) Read(context.Context) (*checkpoint.Holder, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.h == nil {
		return nil, "", nil
	}
	h := *m.h
	return &h, strconv.Itoa(m.ver), nil
}

func (m *memLease) Put(_ context.Context, h checkpoint.Holder, version string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if (m.h == nil) != (version == "") || (m.h != nil && version != strconv.Itoa(m.ver)) {
		return "", lease.ErrConflict
	}
	m.h, m.ver = &h, m.ver+1
	return strconv.Itoa(m.ver), nil
}

func (m *memLease) Delete(_ context.Context, version string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.h == nil || version != strconv.Itoa(m.ver) {
		return lease.ErrConflict
	}
	m.h = nil
	if m.deleted != nil {
		m.deletedOnce.Do(func() { close(m.deleted) })
	}
	return nil
}
