package lease

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

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

// BesideStore is a Store that can write other items in the same
// transaction as a free lease (Options.Beside).
type BesideStore interface {
	Store
	// PutBeside writes the lease where there is none, with beside in one
	// transaction; taken is false when the transaction failed on one of
	// beside and the lease was then written alone. A lease in place is
	// ErrConflict, and then nothing was written.
	PutBeside(ctx context.Context, h checkpoint.Holder, beside []Item) (version string, taken bool, err error)
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

// Fresh is how long after this run wrote or proved its lease Verify
// takes it as proved without reading it. No other run takes over a
// lease whose heartbeat is younger than the TTL from a live holder
// (takeOver), so within this small part of it only a record deleted or
// replaced by hand goes unseen; the heartbeat and the next proof after it
// find that.
const Fresh = TTL / 30

// Options tune a lease; the zero value is the default.
type Options struct {
	TTL time.Duration // TTL when 0
	// Fresh is Fresh when 0; below 0, Verify always reads.
	Fresh time.Duration
	Now   func() time.Time
	// Beside are items written in the same transaction as the lease when
	// it is free (DynamoDB only): a state lock the run takes at once. When
	// the transaction fails on one of them, the lease is written alone;
	// Lease.BesideTaken says which happened.
	Beside []Item
}

// Item is one write of a DynamoDB transaction (Options.Beside).
type Item = ddbtypes.TransactWriteItem

func (o Options) fresh() time.Duration {
	switch {
	case o.Fresh < 0:
		return 0
	case o.Fresh > 0:
		return o.Fresh
	}
	return o.ttl() / 30
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
	sent := o.now()
	me.Token, me.Heartbeat = 1, sent.UTC()
	if bs, ok := s.(BesideStore); ok && len(o.Beside) > 0 {
		nv, taken, err := bs.PutBeside(ctx, me, o.Beside)
		if err == nil {
			// Not taken: the transaction was refused on one of them, and
			// wrote nothing of them.
			l := start(s, me, nv, o, sent)
			l.besideTaken = taken
			return l, nil, nil
		}
		if !errors.Is(err, ErrConflict) {
			return nil, nil, fmt.Errorf("take the run lease %s: %w", s.Where(), err)
		}
		// A transaction that landed unanswered and was retried meets its
		// own records: the lease is found this run's below, and the items
		// beside it may be written (BesideTried).
		l, prev, err := takeOver(ctx, s, me, o)
		if l != nil {
			l.besideTried = true
		}
		return l, prev, err
	}
	nv, err := s.Put(ctx, me, "")
	if err == nil {
		return start(s, me, nv, o, sent), nil, nil
	}
	if !errors.Is(err, ErrConflict) {
		return nil, nil, fmt.Errorf("take the run lease %s: %w", s.Where(), err)
	}
	return takeOver(ctx, s, me, o)
}

// takeOver takes the lease from the record in place, when its holder is
// gone.
func takeOver(ctx context.Context, s Store, me checkpoint.Holder, o Options) (*Lease, *checkpoint.Holder, error) {
	read := o.now()
	prev, ver, err := s.Read(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("read the run lease %s: %w", s.Where(), err)
	}
	if prev != nil && prev.RunID == me.RunID {
		// Our own first write landed, its answer did not: a retry of
		// it met the record it wrote.
		return start(s, *prev, ver, o, read), nil, nil
	}
	if prev != nil && !gone(*prev, o) {
		return nil, nil, &HeldError{Holder: *prev, Where: s.Where()}
	}
	me.Token = 1
	if prev != nil {
		me.Token = prev.Token + 1
	}
	sent := o.now()
	me.Heartbeat = sent.UTC()
	nv, err := s.Put(ctx, me, ver)
	if errors.Is(err, ErrConflict) {
		if other, _, rerr := s.Read(ctx); rerr == nil && other != nil {
			return nil, nil, &HeldError{Holder: *other, Where: s.Where()}
		}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("take the run lease %s: %w", s.Where(), err)
	}
	return start(s, me, nv, o, sent), prev, nil
}

// start makes the lease just written (version nv, the write sent at
// sent) held, and starts its heartbeat.
func start(s Store, me checkpoint.Holder, nv string, o Options, sent time.Time) *Lease {
	l := &Lease{s: s, me: me, version: nv, o: o, lastOK: o.now(), provedAt: sent, stop: make(chan struct{}), done: make(chan struct{})}
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
	// provedAt is when the last write or read that found the lease
	// this run's was sent.
	provedAt                 time.Time
	besideTaken, besideTried bool
	lost                     error
	onLost                   []func(error)

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
	if l.fresh() {
		return nil
	}
	sent := l.o.now()
	h, _, err := l.s.Read(ctx)
	if err != nil {
		return fmt.Errorf("prove this run still holds the run lease %s: %w", l.s.Where(), err)
	}
	if h == nil || h.RunID != l.me.RunID || h.Token != l.me.Token {
		return l.lose(h, "its record is gone")
	}
	if l.o.now().Sub(h.Heartbeat) < l.o.ttl()-2*l.o.fresh() {
		// Proved, and fresh from then: no run can take it over before
		// its heartbeat is a TTL old. A record whose heartbeat is nearly
		// that old (its refreshes failing) proves only this moment.
		l.proved(sent)
	}
	return nil
}

// fresh reports whether the lease was proved less than Options.Fresh ago,
// by both the monotonic and the wall clock (a machine that slept stops
// the one, a clock set back the other).
func (l *Lease) fresh() bool {
	now := l.o.now()
	l.mu.Lock()
	at := l.provedAt
	l.mu.Unlock()
	d, wall, max := now.Sub(at), now.Round(0).Sub(at.Round(0)), l.o.fresh()
	return d >= 0 && d < max && wall >= 0 && wall < max
}

// proved records a write or read, sent at sent, that found the lease
// this run's.
func (l *Lease) proved(sent time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if sent.After(l.provedAt) {
		l.provedAt = sent
	}
}

// BesideTaken reports whether the items of Options.Beside were written
// with the lease.
func (l *Lease) BesideTaken() bool { return l.besideTaken }

// BesideTried reports whether a transaction with the items of
// Options.Beside was sent: when not taken, they may still have been
// written (its answer lost, then its retry refused by its own records),
// and the caller releases them as its own when it does not use them.
func (l *Lease) BesideTried() bool { return l.besideTried }

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
