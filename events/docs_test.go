package events

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// The example streams in docs/events.md are real events: every field is
// one Event knows, and each line reads back into the very same bytes.
func TestDocExamplesAreEvents(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../docs/events.md")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(doc), "\n") {
		if !strings.HasPrefix(line, `{"schema"`) {
			continue
		}
		n++
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		var e Event
		if err := dec.Decode(&e); err != nil {
			t.Errorf("docs/events.md: %v in\n%s", err, line)
			continue
		}
		out, err := MarshalLine(e)
		if err != nil {
			t.Fatal(err)
		}
		if got := bytes.TrimSuffix(out, []byte("\n")); string(got) != line {
			t.Errorf("docs/events.md line does not round-trip:\n doc: %s\n got: %s", line, got)
		}
	}
	if n < 20 {
		t.Fatalf("found only %d example events in docs/events.md", n)
	}
}
