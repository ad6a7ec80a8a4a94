package e2e

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// lostAnswerProxy forwards every request to moto, except that the answer
// to the first request that takes the lock on one state (a DynamoDB
// PutItem of its LockID, conditional on its absence, or the transaction
// that writes it with the run lease) is lost after the lock has landed:
// the client gets a 500 and retries a request whose first attempt
// already holds the lock (what a loaded emulator, or a network, does now
// and then).
type lostAnswerProxy struct {
	srv   *httptest.Server
	lost  atomic.Bool
	moto  string
	match string
}

func newLostAnswerProxy(t *testing.T, moto, lockID string) *lostAnswerProxy {
	p := &lostAnswerProxy{moto: moto, match: `"LockID":{"S":"` + lockID + `"}`}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *lostAnswerProxy) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	out, err := http.NewRequestWithContext(r.Context(), r.Method, p.moto+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	out.Header = r.Header.Clone()
	res, err := http.DefaultTransport.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	op := r.Header.Get("X-Amz-Target")
	if (strings.HasSuffix(op, ".PutItem") || strings.HasSuffix(op, ".TransactWriteItems")) && strings.Contains(string(body), p.match) &&
		strings.Contains(string(body), "attribute_not_exists") && res.StatusCode == http.StatusOK && p.lost.CompareAndSwap(false, true) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"the answer was lost"}`))
		return
	}
	for k, v := range res.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(res.StatusCode)
	_, _ = io.Copy(w, res.Body)
}

// TestALockRequestRetriedAfterALostAnswerIsNotAStall: the answer to the
// request that took a stack's state lock is lost and the request retried.
// The retry finds the lock this run took itself, by its ID, and the stack
// applies at once: no wait on its own lock, no lock broken.
func TestALockRequestRetriedAfterALostAnswerIsNotAStall(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, "selflock")
	tg.write(`
stack "shared" {
  source = "{{stacks}}/base"
  inputs = { name = "core" }
}
`)
	p := newLostAnswerProxy(t, tg.env.Moto.URL, tg.bucket()+"/"+tg.project+"/shared/terraform.tfstate")
	tg.env.Vars["AWS_ENDPOINT_URL"] = p.srv.URL
	res := tg.run("apply", "--yes")
	wantCode(t, res, 0)
	if !p.lost.Load() {
		t.Fatal("no lock request went through the proxy: the fault was not staged")
	}
	for _, bad := range []string{"Error acquiring the state lock", "left behind", "force-unlock"} {
		if strings.Contains(res.Stderr, bad) {
			t.Errorf("the stack waited on, or broke, its own lock (%q):\n%s", bad, res.Stderr)
		}
	}
	if tg.state("shared") == nil {
		t.Error("no state for shared")
	}
}
