package latency

import (
	"bytes"
	"context"
	"fmt"
	"hash/crc32"
	"hash/fnv"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config is what the proxy makes slow.
type Config struct {
	// Delays holds a delay per operation, keyed "service.Name"
	// ("s3.CreateBucket", "dynamodb.DescribeTable").
	Delays map[string]time.Duration
	// Min and Max bound the delay of every other operation: each gets a
	// fixed delay in [Min, Max] derived from its name, so that a run is
	// repeatable.
	Min, Max time.Duration
	// NewTable is how long a table made by CreateTable stays CREATING;
	// Restore how long one made by RestoreTableFromBackup or
	// RestoreTableToPointInTime does.
	NewTable, Restore time.Duration
	// Log, when set, gets a line per call: its name, status and delay.
	Log io.Writer
}

// Defaults are AWS-like latencies, time-scaled: a new table ACTIVE after
// 8 s, a restore after 40 s (hours in AWS), CreateBucket 1 s, other calls
// 60 to 90 ms.
func Defaults() Config {
	return Config{Delays: map[string]time.Duration{"s3.CreateBucket": time.Second},
		Min: 60 * time.Millisecond, Max: 90 * time.Millisecond, NewTable: 8 * time.Second, Restore: 40 * time.Second}
}

// Delay is the time the proxy holds op.
func (c Config) Delay(op Op) time.Duration {
	if d, ok := c.Delays[op.Key()]; ok {
		return d
	}
	if c.Max <= c.Min {
		return c.Min
	}
	h := fnv.New32a()
	h.Write([]byte(op.Key()))
	return c.Min + time.Duration(h.Sum32()%uint32((c.Max-c.Min)/time.Millisecond+1))*time.Millisecond
}

// ParseDelays reads "s3.CreateBucket=1s,ssm.GetParameter=50ms".
func ParseDelays(s string) (map[string]time.Duration, error) {
	out := map[string]time.Duration{}
	for _, kv := range strings.Split(s, ",") {
		if strings.TrimSpace(kv) == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if !ok || err != nil || !strings.Contains(k, ".") {
			return nil, fmt.Errorf("latency %q: want service.Operation=duration, as s3.CreateBucket=1s", kv)
		}
		out[strings.TrimSpace(k)] = d
	}
	return out, nil
}

// Proxy is a running latency proxy.
type Proxy struct {
	URL   string
	cfg   Config
	now   func() time.Time
	sleep func(context.Context, time.Duration)
	srv   *http.Server
	// one passes calls to moto one at a time (after their delays, which
	// run concurrently): moto is not safe for concurrent requests (two
	// Terraform processes locking their states at once were seen to get
	// each other's lock item back).
	one    sync.Mutex
	mu     sync.Mutex
	ready  map[string]time.Time // table → when it becomes ACTIVE
	calls  map[string]int
	waited map[string]time.Duration
	errors int // calls moto did not answer (502 to the client)
}

// Handler returns the proxy's handler for target (moto's URL), without
// listening: the tests drive it with httptest.
func Handler(target string, cfg Config) (*Proxy, error) {
	u, err := url.Parse(target)
	if err != nil || u.Hostname() != "127.0.0.1" {
		return nil, fmt.Errorf("latency proxy: target %q must be an http://127.0.0.1 URL", target)
	}
	p := &Proxy{cfg: cfg, now: time.Now, sleep: sleepCtx, ready: map[string]time.Time{}, calls: map[string]int{}, waited: map[string]time.Duration{}}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = p.modify
	// A connection moto has closed, reused, would fail a call (502) that
	// the client then retries: a retried conditional write (a state
	// lock) finds its own first attempt and fails. A connection per call.
	rp.Transport = &http.Transport{DisableKeepAlives: true, Proxy: nil}
	rp.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		p.mu.Lock()
		p.errors++
		p.mu.Unlock()
		http.Error(w, "latency proxy: "+err.Error(), http.StatusBadGateway)
	}
	p.srv = &http.Server{Handler: p.handler(rp), ReadHeaderTimeout: 10 * time.Second}
	return p, nil
}

// Start runs a proxy to target on a free port of 127.0.0.1.
func Start(target string, cfg Config) (*Proxy, error) {
	p, err := Handler(target, cfg)
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("latency proxy: listen on loopback: %w", err)
	}
	p.URL = "http://" + l.Addr().String()
	go func() { _ = p.srv.Serve(l) }()
	return p, nil
}

// Close stops the proxy.
func (p *Proxy) Close() error { return p.srv.Close() }

// ServeHTTP serves one call (for httptest).
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.srv.Handler.ServeHTTP(w, r) }

type opKey struct{}

func (p *Proxy) handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "latency proxy: read request: "+err.Error(), http.StatusBadGateway)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		op := Classify(r, body)
		d := p.cfg.Delay(op)
		p.mu.Lock()
		p.calls[op.Key()]++
		p.waited[op.Key()] += d
		p.mu.Unlock()
		p.sleep(r.Context(), d)
		if op.Service == "dynamodb" {
			// The body may be rewritten: keep it plain.
			r.Header.Del("Accept-Encoding")
		}
		p.one.Lock()
		defer p.one.Unlock()
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), opKey{}, op)))
	})
}

// modify starts a table's CREATING time when moto accepted the call that
// makes it, and reports the table CREATING until that time has passed.
func (p *Proxy) modify(resp *http.Response) error {
	op, _ := resp.Request.Context().Value(opKey{}).(Op)
	if p.cfg.Log != nil {
		p.mu.Lock()
		fmt.Fprintf(p.cfg.Log, "%s %s %s %s %d\n", p.now().Format("15:04:05.000"), op.Key(), resp.Request.Method, resp.Request.URL.RequestURI(), resp.StatusCode)
		p.mu.Unlock()
	}
	if op.Service != "dynamodb" || op.Table == "" || resp.StatusCode != http.StatusOK {
		return nil
	}
	now := p.now()
	p.mu.Lock()
	switch op.Name {
	case "CreateTable":
		p.ready[op.Table] = now.Add(p.cfg.NewTable)
	case "RestoreTableFromBackup", "RestoreTableToPointInTime":
		p.ready[op.Table] = now.Add(p.cfg.Restore)
	case "DeleteTable":
		delete(p.ready, op.Table)
	}
	pending := now.Before(p.ready[op.Table])
	p.mu.Unlock()
	if !pending {
		return nil
	}
	switch op.Name {
	case "DescribeTable", "CreateTable", "RestoreTableFromBackup", "RestoreTableToPointInTime":
	default:
		return nil
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	body, _ = Rewrite(body)
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	// The SDKs check DynamoDB bodies against this checksum.
	resp.Header.Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10))
	return nil
}

// ActiveAt is when the proxy reports table ACTIVE: the end of its
// CREATING time (zero when the proxy saw no call making it).
func (p *Proxy) ActiveAt(table string) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ready[table]
}

// Errors is how many calls moto did not answer.
func (p *Proxy) Errors() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.errors
}

// Stat is how often an operation was called and the delay it was given.
type Stat struct {
	Key    string
	Calls  int
	Waited time.Duration
}

// Stats lists the calls made so far, the most delayed first.
func (p *Proxy) Stats() []Stat {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []Stat
	for k, n := range p.calls {
		out = append(out, Stat{k, n, p.waited[k]})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Waited != out[j].Waited {
			return out[i].Waited > out[j].Waited
		}
		return out[i].Key < out[j].Key
	})
	return out
}

func sleepCtx(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
