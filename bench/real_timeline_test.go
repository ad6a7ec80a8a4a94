package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestTimelineFromStageEvents(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	out := `not json
{"type":"stage","time":"2026-12-06T12:00:00.5Z","stage":"preflight","status":"running"}
{"type":"note","time":"2026-12-06T12:00:00.6Z","stage":"preflight","message":"x"}
{"type":"stage","time":"2026-12-06T12:00:01Z","stage":"restore.orders","status":"running"}
{"type":"stage","time":"2026-12-06T12:00:01Z","stage":"preflight","status":"done","seconds":0.5}
{"type":"stage","time":"2026-12-06T12:00:41Z","stage":"restore.orders","status":"done","seconds":40}
{"type":"stage","time":"2026-12-06T12:00:42Z","stage":"stack.link","status":"skipped"}
`
	spans := timeline(out, start)
	want := []span{
		{"preflight", 500 * time.Millisecond, time.Second, "done"},
		{"restore.orders", time.Second, 41 * time.Second, "done"},
		{"stack.link", 42 * time.Second, 42 * time.Second, "skipped"},
	}
	if len(spans) != len(want) {
		t.Fatalf("spans %+v", spans)
	}
	for i := range want {
		if spans[i] != want[i] {
			t.Errorf("span %d = %+v, want %+v", i, spans[i], want[i])
		}
	}
	var b bytes.Buffer
	printTimeline(&b, spans, 50*time.Second, 50)
	lines := strings.Split(b.String(), "\n")
	if !strings.Contains(lines[2], "|"+strings.Repeat(" ", 1)+strings.Repeat("#", 40)+strings.Repeat(" ", 9)+"|") {
		t.Errorf("restore bar:\n%s", b.String())
	}
}
