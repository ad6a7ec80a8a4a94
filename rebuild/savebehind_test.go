package rebuild

import (
	"context"
	"sync"
	"testing"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/stages"
)

// worldCore is a world and the core of an apply over it, not started.
func worldCore(t *testing.T) (*world, *core) {
	t.Helper()
	w := newWorld(t)
	p, err := stages.Build(w.cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return w, newCore(w.cfg, p, w.common(), "apply", "work")
}

// gatedStore saves only when the test lets it, and keeps what it saved.
type gatedStore struct {
	checkpoint.Store
	gate  chan struct{}
	mu    sync.Mutex
	saved []string // the run ID of each saved record
}

func (g *gatedStore) Save(_ context.Context, c *checkpoint.Checkpoint) error {
	<-g.gate
	g.mu.Lock()
	defer g.mu.Unlock()
	g.saved = append(g.saved, c.RunID)
	return nil
}

func (g *gatedStore) all() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.saved...)
}

// Saving behind the run: asking never waits for the store, saves come in
// order and catch up with the latest record (asks made while a save runs
// are served by one later save), and flush waits for what was recorded
// before it.
func TestSaveBehind(t *testing.T) {
	t.Parallel()
	_, c := worldCore(t)
	c.ckpt = checkpoint.New("p", "123456789012", "eu-west-2")
	set := func(id string) {
		c.mu.Lock()
		c.ckpt.RunID = id
		c.mu.Unlock()
	}
	g := &gatedStore{gate: make(chan struct{})}
	b := newBehind(c, g)

	set("r1")
	b.ask("preflight") // taken by the saver, which waits on the gate
	for i := range 5 {
		set("r" + string(rune('2'+i)))
		b.ask("state") // none of these waits
	}
	flushed := make(chan struct{})
	go func() {
		(&applier{core: c, behind: b}).flush()
		close(flushed)
	}()
	select {
	case <-flushed:
		t.Fatal("flush returned before anything was saved")
	default:
	}
	close(g.gate) // every save may go now
	<-flushed
	saved := g.all()
	if len(saved) == 0 || saved[len(saved)-1] != "r6" {
		t.Fatalf("after flush the store holds %v, want the latest record r6 last", saved)
	}
	if len(saved) > 3 {
		t.Errorf("six asks made while a save waited took %d saves: %v", len(saved), saved)
	}
	for i := 1; i < len(saved); i++ {
		if saved[i] < saved[i-1] {
			t.Errorf("saves out of order: %v", saved)
		}
	}
	set("r9")
	b.ask("link")
	b.close()
	if got := g.all(); got[len(got)-1] != "r9" {
		t.Errorf("close left the last record unsaved: %v", got)
	}
}
