package events

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// decodeLines parses an NDJSON stream, failing on any line that is not
// one JSON object.
func decodeLines(t *testing.T, data []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	for i, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %d is not one JSON object: %v\n%s", i+1, err, line)
		}
		out = append(out, m)
	}
	return out
}

func successfulRun(bus *Bus) {
	bus.Emit(Event{Type: RunStarted, RTO: &RTO{TargetSeconds: 7200, Runs: 1}})
	bus.Emit(Event{Type: StageStarted, Stage: "stack.blue", Attempt: 1})
	bus.Emit(Event{Type: ResourceProgress, Stage: "stack.blue", Resource: &Resource{Address: "terraform_data.a", Action: "create", Phase: "complete", Done: 1, Total: 2}})
	bus.Emit(Event{Type: StageFinished, Stage: "stack.blue", Outcome: OutcomeDone, Duration: 1500 * time.Millisecond, Attempt: 1})
	bus.Emit(Event{Type: RunFinished, Outcome: OutcomeDone, RTO: &RTO{TargetSeconds: 7200, ElapsedSeconds: 2, Met: true, Runs: 1},
		CriticalPath: &CriticalPath{Seconds: 1.5, Stages: []PathStage{{Stage: "stack.blue", Seconds: 1.5, Share: 1}}}})
}

func TestNDJSONShapeAndOrder(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "events.ndjson")
	sink, err := OpenNDJSON(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	successfulRun(NewBus("r1", "shop", "apply", sink))
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := decodeLines(t, data)
	want := []Type{RunStarted, StageStarted, ResourceProgress, StageFinished, RunFinished}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), data)
	}
	for i, m := range lines {
		if m["type"] != string(want[i]) {
			t.Errorf("line %d: type %v, want %s", i+1, m["type"], want[i])
		}
		if m["schema"] != float64(SchemaVersion) || m["run_id"] != "r1" || m["project"] != "shop" || m["mode"] != "apply" {
			t.Errorf("line %d lacks the stamped schema, run, project or mode: %v", i+1, m)
		}
		if _, err := time.Parse(time.RFC3339Nano, m["time"].(string)); err != nil {
			t.Errorf("line %d: time %v is not RFC 3339: %v", i+1, m["time"], err)
		}
	}
	if got := lines[3]["duration_seconds"]; got != 1.5 {
		t.Errorf("stage_finished duration_seconds = %v, want 1.5", got)
	}
	if _, ok := lines[3]["Duration"]; ok {
		t.Error("the Go Duration leaked into the JSON")
	}
	cp := lines[4]["critical_path"].(map[string]any)
	if stages := cp["stages"].([]any); stages[0].(map[string]any)["stage"] != "stack.blue" {
		t.Errorf("critical path = %v", cp)
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("events file mode = %v (%v), want 0600", info.Mode().Perm(), err)
	}
}

// A resumed rebuild given the same --events file adds to it.
func TestNDJSONAppendsAcrossRuns(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "events.ndjson")
	for _, run := range []string{"r1", "r2"} {
		sink, err := OpenNDJSON(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		NewBus(run, "shop", "apply", sink).Emit(Event{Type: RunStarted})
		if err := sink.Close(); err != nil {
			t.Fatal(err)
		}
	}
	data, _ := os.ReadFile(path)
	lines := decodeLines(t, data)
	if len(lines) != 2 || lines[0]["run_id"] != "r1" || lines[1]["run_id"] != "r2" {
		t.Fatalf("want the two runs' events in order, got:\n%s", data)
	}
}

func TestNDJSONDashIsStdoutAndStaysOpen(t *testing.T) {
	t.Parallel()
	var stdout bytes.Buffer
	sink, err := OpenNDJSON("-", &stdout)
	if err != nil {
		t.Fatal(err)
	}
	successfulRun(NewBus("r1", "shop", "apply", sink))
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	if n := len(decodeLines(t, stdout.Bytes())); n != 5 {
		t.Fatalf("got %d lines on stdout, want 5", n)
	}
	sink.Emit(Event{Type: StageNote}) // after Close: dropped, no panic, no error
	if err := sink.Err(); err != nil {
		t.Fatalf("an event after Close made an error: %v", err)
	}
}

func TestOpenNDJSONBadPath(t *testing.T) {
	t.Parallel()
	_, err := OpenNDJSON(filepath.Join(t.TempDir(), "no", "such", "dir", "e.ndjson"), nil)
	if err == nil || !strings.Contains(err.Error(), "--events") {
		t.Fatalf("want an error naming --events, got %v", err)
	}
}

// Through a named pipe each event arrives as it is emitted (the reader
// gets line 1 before line 2 is written), and a reader that goes away
// makes a recorded error, never a crash or a blocked run.
func TestNDJSONThroughAPipe(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "events.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		f, err := os.Open(fifo)
		if err != nil {
			t.Error(err)
			return
		}
		sc := bufio.NewScanner(f)
		if sc.Scan() { // read exactly one line, then hang up
			lines <- sc.Text()
		}
		f.Close()
	}()
	sink, err := OpenNDJSON(fifo, nil)
	if err != nil {
		t.Fatal(err)
	}
	bus := NewBus("r1", "shop", "apply", sink)
	bus.Emit(Event{Type: RunStarted})
	if got := <-lines; !strings.Contains(got, `"type":"run_started"`) {
		t.Fatalf("first line through the pipe = %q", got)
	}
	<-readerDone
	// With no reader left the first write fails; the next ones are skipped.
	for i := 0; i < 3; i++ {
		bus.Emit(Event{Type: StageNote, Message: "after the reader left"})
	}
	err = sink.Close()
	if !errors.Is(err, syscall.EPIPE) {
		t.Fatalf("Close = %v, want the broken pipe reported", err)
	}
	if !strings.Contains(err.Error(), fifo) {
		t.Errorf("the error does not name the events file: %v", err)
	}
}

// A reader that stops reading never blocks the run: Emit returns at
// once, the overflow is dropped, Close gives up after its drain time, and
// what was lost is reported.
func TestNDJSONStalledReader(t *testing.T) {
	t.Parallel()
	pr, pw := io.Pipe() // nobody reads pr until the test ends
	defer pr.Close()
	sink := newNDJSON(pw, nil, "the pipe", 2, 10*time.Millisecond)
	bus := NewBus("r1", "shop", "apply", sink)
	for i := 0; i < 10; i++ {
		bus.Emit(Event{Type: ResourceProgress, Stage: "stack.blue"})
	}
	// One line is stuck in Write, two are queued: at least seven dropped.
	err := sink.Err()
	if err == nil || !strings.Contains(err.Error(), "events dropped because its reader did not keep up") {
		t.Fatalf("Err = %v, want the drops reported", err)
	}
	err = sink.Close()
	if err == nil || !strings.Contains(err.Error(), "the pipe: its reader took nothing for 10ms; gave up with") {
		t.Fatalf("Close = %v, want the give-up reported", err)
	}
}

// `tfrebuild apply --events - | head -1`: when the reader of stdout goes
// away, the stream records a broken pipe and the process lives on (Go
// would kill a process writing to a broken pipe on fd 1). Run in a child
// process whose stdout is a pipe nobody reads. Not parallel: between fork
// and exec the child holds a copy of every descriptor, the read end of
// TestNDJSONThroughAPipe's FIFO too, which would keep that pipe whole.
func TestNDJSONStdoutBrokenPipe(t *testing.T) {
	if os.Getenv("NDJSON_BROKEN_STDOUT_CHILD") == "1" {
		sink, err := OpenNDJSON("-", os.Stdout)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		NewBus("r1", "shop", "apply", sink).Emit(Event{Type: RunStarted})
		fmt.Fprintf(os.Stderr, "close: %v\n", sink.Close())
		os.Exit(0)
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	pr.Close() // no reader: every write to pw is a broken pipe
	var stderr bytes.Buffer
	cmd := exec.Command(os.Args[0], "-test.run=^TestNDJSONStdoutBrokenPipe$")
	cmd.Env = append(os.Environ(), "NDJSON_BROKEN_STDOUT_CHILD=1")
	cmd.Stdout, cmd.Stderr = pw, &stderr
	err = cmd.Run()
	pw.Close()
	if err != nil {
		t.Fatalf("the child died (%v); stderr:\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "close: write to stdout: write stdout: broken pipe") {
		t.Fatalf("the broken pipe was not reported; stderr:\n%s", stderr.String())
	}
}
