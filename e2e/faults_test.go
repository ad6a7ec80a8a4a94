package e2e

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/tfrebuild/tfrebuild/stages"
)

// faultProxy sits on loopback between tfrebuild (and Terraform) and moto
// and injects faults: 500s, throttling and dropped connections.
type faultProxy struct {
	srv    *httptest.Server
	mu     sync.Mutex
	flaky  int  // this many more requests are candidates for a fault
	down   bool // every request fails
	n      atomic.Int64
	faults atomic.Int64
}

func newFaultProxy(t *testing.T, target string) *faultProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{}
	rp := httputil.NewSingleHostReverseProxy(u)
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.fault(w, r) {
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *faultProxy) set(flaky int, down bool) {
	p.mu.Lock()
	p.flaky, p.down = flaky, down
	p.mu.Unlock()
}

// fault fails every second request while flaky lasts, and every request
// while down, cycling through the kinds of failure.
func (p *faultProxy) fault(w http.ResponseWriter, r *http.Request) bool {
	n := p.n.Add(1)
	p.mu.Lock()
	inject := p.down || (p.flaky > 0 && n%2 == 0)
	if p.flaky > 0 {
		p.flaky--
	}
	p.mu.Unlock()
	if !inject {
		return false
	}
	p.faults.Add(1)
	switch p.faults.Load() % 3 {
	case 0:
		http.Error(w, "injected fault", http.StatusInternalServerError)
	case 1:
		if r.Header.Get("X-Amz-Target") != "" {
			w.Header().Set("Content-Type", "application/x-amz-json-1.0")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate exceeded"}`))
		} else {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`))
		}
	default:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return true
			}
		}
		http.Error(w, "injected fault", http.StatusBadGateway)
	}
	return true
}

// throughProxy points the target's AWS endpoint at the proxy.
func throughProxy(t *testing.T, tg *target) *faultProxy {
	p := newFaultProxy(t, tg.env.Moto.URL)
	tg.env.Vars["AWS_ENDPOINT_URL"] = p.srv.URL
	return p
}

func TestRidesThroughTransientFaults(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, "flaky")
	p := throughProxy(t, tg)
	tg.write(strings.ReplaceAll(fourStacks, "%s", tg.project))
	p.set(60, false)
	res := tg.run("apply", "--yes")
	wantCode(t, res, 0)
	if p.faults.Load() < 15 {
		t.Errorf("only %d faults were injected; the test proves little", p.faults.Load())
	}
	for _, s := range []string{"base", "blue", "join"} {
		if tg.state(s) == nil {
			t.Errorf("no state for %s", s)
		}
	}
}

func TestEndlessFaultStopsThenResumes(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, "outage")
	p := throughProxy(t, tg)
	path := tg.write(slowStacks(tg.project, false, 2))
	writeFile(t, path, strings.Replace(readFile(t, path), `version = "1.11.4"`, "version = \"1.11.4\"\n  lock_timeout = \"2s\"", 1))
	cmd, out := tg.start("apply", "--yes")
	waitFor(t, tg, "file", done("stack.base"))
	p.set(0, true)
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("want exit 1 while the endpoint is down, got %v\n%s", err, out.String())
	}
	// blue fails on the outage, or, when the outage outlasts the run
	// lease's TTL first, stops because it can no longer prove it holds the
	// target: either way a failure (exit 1), never an interrupt (130).
	c := tg.checkpoint()
	blue := c.Stages["stack.blue"].Status
	if c.Stages["stack.base"].Status != stages.Done || (blue != stages.Failed && blue != stages.Interrupted) {
		t.Errorf("checkpoint after the outage: base %s, blue %s", c.Stages["stack.base"].Status, blue)
	}
	if blue == stages.Interrupted && !strings.Contains(out.String(), "lost its run lease") {
		t.Errorf("blue stopped without a failure of its own, and the run does not say why:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "stack.blue") {
		t.Errorf("the failure should name the stage:\n%s", out.String())
	}
	p.set(0, false)
	res := tg.run("apply", "--yes")
	wantCode(t, res, 0)
	if tg.state("join") == nil {
		t.Error("the resumed run did not finish")
	}
}

// SIGINT: Terraform is interrupted and releases its lock, the stage is
// recorded interrupted, and the exit code says so.
func TestInterrupt(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, "interrupt")
	tg.write(slowStacks(tg.project, false, 4))
	cmd, out := tg.start("apply", "--yes")
	waitApplying(t, tg, "blue")
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Fatalf("want exit 130 after SIGINT, got %v\n%s", err, out.String())
	}
	c := tg.checkpoint()
	if st := c.Stages["stack.blue"].Status; st != stages.Interrupted {
		t.Errorf("blue is %s, want interrupted\n%s", st, out.String())
	}
	if r := c.Stages["stack.join"]; r != nil && r.Status != stages.Pending {
		t.Errorf("join is %s, want pending (never started)", r.Status)
	}
	if n := lockItems(t, tg); n != 0 {
		t.Errorf("Terraform left %d state locks after an interrupt", n)
	}
	wantCode(t, tg.run("apply", "--yes"), 0)
}
