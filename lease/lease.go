package lease

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tfrebuild/tfrebuild/checkpoint"
)

// TTL is how long a lease lives without a heartbeat before another run
// may take it over; the holder refreshes it every TTL/3.
const TTL = 90 * time.Second

// Store is where one lease record lives. Version identifies the record
// as read ("" for none); Put and Delete are conditional on it and fail
// with ErrConflict when the record changed since.
type Store interface {
	Read(ctx context.Context) (h *checkpoint.Holder, version string, err error)
	Put(ctx context.Context, h checkpoint.Holder, version string) (string, error)
	Delete(ctx context.Context, version string) error
	// Where names the record for people: dynamodb:TABLE/ID or s3://BUCKET/KEY.
	Where() string
}

// ErrNoStore is a lease record whose table does not exist (yet): there
// is nowhere to hold the lease.
var ErrNoStore = errors.New("the lease's table does not exist")

// ErrConflict is a conditional write that found another record.
var ErrConflict = errors.New("the run lease changed since it was read")

// HeldError is a lease another live run holds.
type HeldError struct {
	Holder checkpoint.Holder
	Where  string
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("another tfrebuild is driving this target: %s (run lease %s, last heartbeat %s); "+
		"wait for it to finish, or stop it; if its machine is dead, the lease is free %s after that heartbeat",
		e.Holder, e.Where, e.Holder.Heartbeat.UTC().Format(time.RFC3339), TTL)
}

// LostError is a lease this run held and lost: another run took it over,
// or it could not be refreshed for a whole TTL.
type LostError struct {
	By     *checkpoint.Holder // the new holder; nil when unknown or none
	Where  string
	Reason string
}

func (e *LostError) Error() string {
	if e.By != nil {
		return fmt.Sprintf("this run lost its run lease %s (taken over by %s) and stopped before its next write; "+
			"run status to see where it stopped, and apply again once the other run has finished", e.Where, e.By)
	}
	return fmt.Sprintf("this run lost its run lease %s (%s) and stopped before its next write, "+
		"since another run may now take it over; run status to see where it stopped, and apply again once AWS answers", e.Where, e.Reason)
}

// Options tune a lease; the zero value is the default.
type Options struct {
	TTL time.Duration // TTL when 0
	Now func() time.Time
}

func (o Options) ttl() time.Duration {
	if o.TTL > 0 {
		return o.TTL
	}
	return TTL
}

func (o Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// Acquire takes the lease for me. It fails with a *HeldError while a live
// run holds it, and takes over (returning the old holder) a lease whose
// heartbeat is older than the TTL or whose holder is a dead process on
// this host. The takeover is conditional on the record that was read, so
// two runs taking over at once cannot both win.
func Acquire(ctx context.Context, s Store, me checkpoint.Holder, o Options) (*Lease, *checkpoint.Holder, error) {
	// Most runs find no record (the last one released it): the write
	// that takes a free lease comes first, and the read only when a
	// record is there.
	me.Token, me.Heartbeat = 1, o.now().UTC()
	nv, err := s.Put(ctx, me, "")
	if err == nil {
		return start(s, me, nv, o), nil, nil
	}
	if !errors.Is(err, ErrConflict) {
		return nil, nil, fmt.Errorf("take the run lease %s: %w", s.Where(), err)
	}
	return takeOver(ctx, s, me, o)
}

// takeOver takes the lease from the record in place, when its holder is
// gone.
func takeOver(ctx context.Context, s Store, me checkpoint.Holder, o Options) (*Lease, *checkpoint.Holder, error) {
	prev, ver, err := s.Read(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("read the run lease %s: %w", s.Where(), err)
	}
	if prev != nil && prev.RunID == me.RunID {
		// Our own first write landed, its answer did not: a retry of
		// it met the record it wrote.
		return start(s, *prev, ver, o), nil, nil
	}
	if prev != nil && !gone(*prev, o) {
		return nil, nil, &HeldError{Holder: *prev, Where: s.Where()}
	}
	me.Token = 1
	if prev != nil {
		me.Token = prev.Token + 1
	}
	me.Heartbeat = o.now().UTC()
	nv, err := s.Put(ctx, me, ver)
	if errors.Is(err, ErrConflict) {
		if other, _, rerr := s.Read(ctx); rerr == nil && other != nil {
			return nil, nil, &HeldError{Holder: *other, Where: s.Where()}
		}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("take the run lease %s: %w", s.Where(), err)
	}
	return start(s, me, nv, o), prev, nil
}

// start makes the lease just written (version nv) held, and starts its
// heartbeat.
func start(s Store, me checkpoint.Holder, nv string, o Options) *Lease {
	l := &Lease{s: s, me: me, version: nv, o: o, lastOK: o.now(), stop: make(chan struct{}), done: make(chan struct{})}
	go l.beat()
	return l
}

// gone reports whether a holder is provably no longer running: no
// heartbeat for a TTL, or a process of this host that no longer exists.
func gone(h checkpoint.Holder, o Options) bool {
	if o.now().Sub(h.Heartbeat) > o.ttl() {
		return true
	}
	return h.Host == checkpoint.Hostname() && !checkpoint.ProcessAlive(h.PID)
}

// Lease is a held run lease.
type Lease struct {
	s  Store
	o  Options
	me checkpoint.Holder

	mu      sync.Mutex
	version string
	lastOK  time.Time
	lost    error
	onLost  []func(error)

	once       sync.Once
	stop, done chan struct{}
}

// Holder is who holds the lease: this run, with its fencing token.
func (l *Lease) Holder() checkpoint.Holder { return l.me }

// Where names the lease record.
func (l *Lease) Where() string { return l.s.Where() }

// OnLost calls f once, with the *LostError, when the lease is lost; at
// once if it is lost already.
func (l *Lease) OnLost(f func(error)) {
	l.mu.Lock()
	err := l.lost
	if err == nil {
		l.onLost = append(l.onLost, f)
	}
	l.mu.Unlock()
	if err != nil {
		f(err)
	}
}

// Err is the *LostError once the lease is lost, nil while it is held.
func (l *Lease) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lost
}

// Verify proves, with a fresh read, that this run still holds the lease:
// a run calls it before each write. It returns the *LostError when
// another run holds it now, or the read's error when it cannot tell.
func (l *Lease) Verify(ctx context.Context) error {
	if err := l.Err(); err != nil {
		return err
	}
	h, _, err := l.s.Read(ctx)
	if err != nil {
		return fmt.Errorf("prove this run still holds the run lease %s: %w", l.s.Where(), err)
	}
	if h == nil || h.RunID != l.me.RunID || h.Token != l.me.Token {
		return l.lose(h, "its record is gone")
	}
	return nil
}

// lose records the loss and tells the OnLost callbacks, once.
func (l *Lease) lose(by *checkpoint.Holder, reason string) error {
	l.mu.Lock()
	if l.lost != nil {
		err := l.lost
		l.mu.Unlock()
		return err
	}
	l.lost = &LostError{By: by, Where: l.s.Where(), Reason: reason}
	fs := l.onLost
	l.onLost = nil
	err := l.lost
	l.mu.Unlock()
	for _, f := range fs {
		f(err)
	}
	return err
}
