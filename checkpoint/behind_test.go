package checkpoint

import (
	"sync"
	"testing"
)

// Saving behind the run: asking never waits for the store, saves come in
// order and catch up with the latest record (asks made while a save runs
// are served by one later save), and Flush waits for what was recorded
// before it.
func TestSaveBehind(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	current, saved := "", []string(nil)
	set := func(id string) { mu.Lock(); current = id; mu.Unlock() }
	all := func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), saved...) }
	gate := make(chan struct{})
	b := NewBehind(func(string) {
		mu.Lock()
		snap := current // the record as it stands when the save runs
		mu.Unlock()
		<-gate // the store is slow
		mu.Lock()
		saved = append(saved, snap)
		mu.Unlock()
	})

	set("r1")
	b.Ask("preflight") // taken by the saver, which waits on the gate
	for i := range 5 {
		set("r" + string(rune('2'+i)))
		b.Ask("state") // none of these waits
	}
	flushed := make(chan struct{})
	go func() {
		b.Flush()
		close(flushed)
	}()
	select {
	case <-flushed:
		t.Fatal("Flush returned before anything was saved")
	default:
	}
	close(gate) // every save may go now
	<-flushed
	got := all()
	if len(got) == 0 || got[len(got)-1] != "r6" {
		t.Fatalf("after Flush the store holds %v, want the latest record r6 last", got)
	}
	if len(got) > 3 {
		t.Errorf("six asks made while a save waited took %d saves: %v", len(got), got)
	}
	for i := 1; i < len(got); i++ {
		if got[i] < got[i-1] {
			t.Errorf("saves out of order: %v", got)
		}
	}
	set("r9")
	b.Ask("link")
	b.Close()
	if got := all(); got[len(got)-1] != "r9" {
		t.Errorf("Close left the last record unsaved: %v", got)
	}
}
