package events

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"syscall"
	"time"
)

// NDJSON writes the event stream as newline-delimited JSON, one object a
// line, for --events FILE. Each event is written with a single write as
// soon as it is emitted, so that `tail -f` or the reader of a pipe sees it
// at once and never half a line from us.
//
// The writing happens on a goroutine of its own behind a generous queue:
// a reader that stalls (a paused pager, a log shipper that hiccups) must
// not stall the rebuild. Nothing here fails the run either: a write error
// (the reader went away, the disk filled) stops the writing, a full queue
// drops events, and Err and Close report what was lost for the summary.
type NDJSON struct {
	name   string
	w      io.Writer
	closer io.Closer
	queue  chan []byte
	done   chan struct{}
	drain  time.Duration
	once   sync.Once

	mu      sync.Mutex
	closed  bool
	dropped int
	err     error
}

var _ Sink = (*NDJSON)(nil)

// The queue holds a long burst of resource_progress; Close waits at most
// ndjsonDrain for a stalled reader to take what is left.
const (
	ndjsonQueue = 4096
	ndjsonDrain = 5 * time.Second
)

// OpenNDJSON opens the --events destination: "-" writes to stdout (which
// Close leaves open, and whose reader going away is an error, not the
// death of the process), anything else is a file that is created if missing
// and appended to otherwise, so that a rebuild resumed with the same flag
// keeps the story of its earlier runs in one file. A named pipe is opened
// as it is, which waits for its reader as tee does; nothing is ever
// seeked, truncated or synced, so pipes and /dev/fd paths work.
func OpenNDJSON(path string, stdout io.Writer) (*NDJSON, error) {
	if path == "-" {
		if f, ok := stdout.(*os.File); ok {
			// Go kills a process that writes to a broken pipe on fd 1, so
			// `--events - | head` would end the rebuild mid-way. A copy of
			// the descriptor gets EPIPE, which is recorded, instead.
			if fd, err := syscall.Dup(int(f.Fd())); err == nil {
				dup := os.NewFile(uintptr(fd), "stdout")
				return newNDJSON(dup, dup, "stdout", ndjsonQueue, ndjsonDrain), nil
			}
		}
		return newNDJSON(stdout, nil, "stdout", ndjsonQueue, ndjsonDrain), nil
	}
	// 0600 like every file tfrebuild writes: events carry no secret, but
	// they describe the target, and nobody else needs to read them.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open the events file %s: %w; check the --events path", path, err)
	}
	return newNDJSON(f, f, path, ndjsonQueue, ndjsonDrain), nil
}

// NewNDJSON writes the stream to w, which it never closes.
func NewNDJSON(w io.Writer) *NDJSON {
	return newNDJSON(w, nil, "the events stream", ndjsonQueue, ndjsonDrain)
}

func newNDJSON(w io.Writer, c io.Closer, name string, queue int, drain time.Duration) *NDJSON {
	n := &NDJSON{name: name, w: w, closer: c, queue: make(chan []byte, queue), done: make(chan struct{}), drain: drain}
	go n.write()
	return n
}

// Emit queues e as one line. It never blocks.
func (n *NDJSON) Emit(e Event) {
	line, err := MarshalLine(e)
	n.mu.Lock()
	defer n.mu.Unlock()
	switch {
	case n.closed || n.err != nil:
		// Events after Close, or after the stream broke, have nowhere to go.
	case err != nil:
		n.err = fmt.Errorf("write event %s to %s: %w; later events were not written", e.Type, n.name, err)
	default:
		select {
		case n.queue <- line:
		default:
			n.dropped++
		}
	}
}

func (n *NDJSON) write() {
	defer close(n.done)
	for line := range n.queue {
		n.mu.Lock()
		broken := n.err != nil
		n.mu.Unlock()
		if broken {
			continue
		}
		if _, err := n.w.Write(line); err != nil {
			n.mu.Lock()
			if n.err == nil {
				n.err = fmt.Errorf("write to %s: %w; later events were not written", n.name, err)
			}
			n.mu.Unlock()
		}
	}
}

// Err reports what the stream lost so far: the first write error and the
// events dropped because the reader did not keep up. Nil while complete.
func (n *NDJSON) Err() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	var errs []error
	if n.err != nil {
		errs = append(errs, n.err)
	}
	if n.dropped > 0 {
		errs = append(errs, fmt.Errorf("%s: %d events dropped because its reader did not keep up; the stream is incomplete", n.name, n.dropped))
	}
	return errors.Join(errs...)
}

// Close waits for the queued events to be written (at most a few seconds
// for a stalled reader), closes the file (never stdout) and returns Err
// or the close error. Safe to call twice.
func (n *NDJSON) Close() error {
	var cerr error
	n.once.Do(func() {
		n.mu.Lock()
		n.closed = true
		close(n.queue)
		n.mu.Unlock()
		drain := time.NewTimer(n.drain)
		defer drain.Stop()
		select {
		case <-n.done:
		case <-drain.C:
			// The writer is stuck on one line; it skips the rest once err
			// is set.
			n.mu.Lock()
			n.err = fmt.Errorf("%s: its reader took nothing for %s; gave up with %d events not written", n.name, n.drain, len(n.queue)+1)
			n.mu.Unlock()
		}
		// Closing a pipe also ends a write stuck on it; a write to stdout
		// that stays stuck ends with the process.
		if n.closer != nil {
			if err := n.closer.Close(); err != nil {
				cerr = fmt.Errorf("close %s: %w", n.name, err)
			}
		}
	})
	if err := n.Err(); err != nil {
		return err
	}
	return cerr
}

// MarshalLine is the NDJSON form of e: its JSON and a newline. The
// notifications' "json" format sends the same object.
func MarshalLine(e Event) ([]byte, error) {
	if e.Schema == 0 {
		e.Schema = SchemaVersion
	}
	if e.Duration != 0 && e.DurationSeconds == 0 {
		e.DurationSeconds = e.Duration.Seconds()
	}
	b, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
