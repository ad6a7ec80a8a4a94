package events

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
)

// NDJSON writes the event stream as newline-delimited JSON, one object a
// line, for --events FILE. Each event is written with a single write as it
// happens, so that `tail -f` or a reader at the other end of a pipe sees
// it at once and never half a line from us. A write error (the reader of
// a pipe went away, the disk filled) never fails the run: the sink stops
// writing and Err reports what happened, for the summary to note.
type NDJSON struct {
	mu     sync.Mutex
	w      io.Writer
	closer io.Closer
	name   string
	err    error
}

var _ Sink = (*NDJSON)(nil)

// OpenNDJSON opens the --events destination: "-" writes to stdout (which
// is not closed by Close), anything else is a file that is created if
// missing and appended to otherwise, so that a rebuild resumed with the
// same flag keeps the story of its earlier runs in one file. A named pipe
// is opened as it is, which waits for its reader as tee does; nothing is
// ever seeked, truncated or synced, so pipes and /dev/fd paths work.
func OpenNDJSON(path string, stdout io.Writer) (*NDJSON, error) {
	if path == "-" {
		return &NDJSON{w: stdout, name: "stdout"}, nil
	}
	// 0600 like every file tfrebuild writes: events carry no secret, but
	// they describe the target, and nothing here needs others to read it.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open the events file %s: %w; check the --events path", path, err)
	}
	return &NDJSON{w: f, closer: f, name: path}, nil
}

// NewNDJSON writes the stream to w, which it never closes.
func NewNDJSON(w io.Writer) *NDJSON {
	return &NDJSON{w: w, name: "the events stream"}
}

// Emit writes e as one line. After a failed write it writes nothing more.
func (n *NDJSON) Emit(e Event) {
	line, err := MarshalLine(e)
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.err != nil {
		return
	}
	if err != nil {
		n.err = fmt.Errorf("write event %s to %s: %w; later events were not written", e.Type, n.name, err)
		return
	}
	if _, err := n.w.Write(line); err != nil {
		n.err = fmt.Errorf("write event %s to %s: %w; later events were not written", e.Type, n.name, err)
	}
}

// Err is the first write error, or nil while every event was written.
func (n *NDJSON) Err() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.err
}

// Close closes the file (never stdout) and returns the first write error
// or the close error.
func (n *NDJSON) Close() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	var cerr error
	if n.closer != nil {
		if err := n.closer.Close(); err != nil {
			cerr = fmt.Errorf("close %s: %w", n.name, err)
		}
		n.closer = nil
	}
	// Events after Close (a late notification's echo, a deferred emit)
	// have nowhere to go; dropping them beats an error about a closed file.
	n.w = io.Discard
	if n.err != nil {
		return n.err
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
