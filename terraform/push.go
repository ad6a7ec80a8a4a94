package terraform

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
)

// Errored lists the states the engine could not save for a stack, kept in
// its work folder by earlier runs (rescueErrored), oldest first.
func (r *Runner) Errored(stack string) []string {
	files, _ := filepath.Glob(filepath.Join(string(r.Workdir(stack)), "errored-*.tfstate"))
	sort.Strings(files) // the names carry the time, in UTC
	return files
}

// StateHeader is what the engine's state push compares: a state's lineage
// and serial; and its resources, to tell a state pushed back by hand.
type StateHeader struct {
	Lineage   string          `json:"lineage"`
	Serial    int64           `json:"serial"`
	Resources json.RawMessage `json:"resources"`
}

// PushedAlready says the stored state is local pushed back already (by a
// person, with -force, which gives it a later serial): same lineage and
// the same resources.
func PushedAlready(local, remote StateHeader) bool {
	if local.Lineage == "" || local.Lineage != remote.Lineage {
		return false
	}
	var a, b bytes.Buffer
	return json.Compact(&a, local.Resources) == nil && json.Compact(&b, remote.Resources) == nil && bytes.Equal(a.Bytes(), b.Bytes())
}

// ReadStateHeader reads a state's lineage and serial; empty text is the
// zero header (no state).
func ReadStateHeader(text []byte) (StateHeader, error) {
	var h StateHeader
	if len(text) == 0 {
		return h, nil
	}
	if err := json.Unmarshal(text, &h); err != nil {
		return h, fmt.Errorf("not a Terraform state: %w", err)
	}
	return h, nil
}

// PushRefusal says why the engine's state push would refuse local over
// remote without -force ("" when it would accept it): another lineage, or
// an older serial.
func PushRefusal(local, remote StateHeader) string {
	switch {
	case remote.Lineage == "":
		return ""
	case local.Lineage != remote.Lineage:
		return fmt.Sprintf("its lineage %s is not the stored state's (%s): the stored state was made afresh since", local.Lineage, remote.Lineage)
	case local.Serial < remote.Serial:
		return fmt.Sprintf("its serial %d is older than the stored state's (%d): the stack was applied since", local.Serial, remote.Serial)
	}
	return ""
}

// PushState writes a state file back to the stack's backend (state push),
// under the caller's state lock when it holds one.
func (r *Runner) PushState(ctx context.Context, s Stack, file string) error {
	h, done, err := r.ready(ctx, s)
	if err != nil {
		return err
	}
	defer done()
	lock := "-lock=true"
	if h.locking() == noStateLock {
		lock = "-lock=false"
	}
	args := []string{"state", "push", lock, "-lock-timeout=" + r.lockTimeout(), file}
	if err := r.command(ctx, h, "state push", h.log, args); err != nil {
		return r.fail(h, "state push", err)
	}
	return nil
}
