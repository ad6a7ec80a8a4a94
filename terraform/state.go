package terraform

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
)

// ForceUnlock releases a state lock by its ID. Callers must have proved
// that the lock's holder is gone.
func (r *Runner) ForceUnlock(ctx context.Context, s Stack, lockID string) error {
	h, err := r.take(s)
	if err != nil {
		return err
	}
	defer h.mu.Unlock()
	if err := r.init(ctx, h); err != nil {
		return err
	}
	args := []string{"force-unlock", "-no-color", "-force", lockID}
	if err := r.command(ctx, h, "force-unlock", h.log, args); err != nil {
		return r.fail(h, "force-unlock", err)
	}
	return nil
}

// stateResource is one resource in a version 4 state.
type stateResource struct {
	Module    string `json:"module"`
	Mode      string `json:"mode"`
	Type      string `json:"type"`
	Name      string `json:"name"`
	Instances []struct {
		IndexKey json.RawMessage `json:"index_key"`
	} `json:"instances"`
}

// addresses lists the resource instance addresses of a state, as
// Terraform writes them: aws_s3_bucket.b, module.m.x.y[0], x.y["k"].
func addresses(state []byte) ([]string, error) {
	if len(state) == 0 {
		return nil, nil
	}
	var sf stateFile
	if err := json.Unmarshal(state, &sf); err != nil {
		return nil, fmt.Errorf("not a Terraform state: %w", err)
	}
	var out []string
	for _, r := range sf.Resources {
		base := r.Type + "." + r.Name
		if r.Mode == "data" {
			base = "data." + base
		}
		if r.Module != "" {
			base = r.Module + "." + base
		}
		for _, in := range r.Instances {
			addr := base
			if len(in.IndexKey) > 0 {
				var n int
				var s string
				if json.Unmarshal(in.IndexKey, &n) == nil {
					addr += "[" + strconv.Itoa(n) + "]"
				} else if json.Unmarshal(in.IndexKey, &s) == nil {
					addr += "[" + strconv.Quote(s) + "]"
				}
			}
			out = append(out, addr)
		}
	}
	return out, nil
}

// StateHas reports whether the stack's state holds a resource instance at
// address (or, for an address without an index, any instance of it).
func (r *Runner) StateHas(ctx context.Context, s Stack, address string) (bool, error) {
	h, err := r.take(s)
	if err != nil {
		return false, err
	}
	defer h.mu.Unlock()
	state, err := r.pullState(ctx, h, s)
	if err != nil {
		return false, err
	}
	has, err := StateHolds(state, address)
	if err != nil {
		return false, fmt.Errorf("stack %s: read its state %s: %w", s.Name, s.Backend.Key, err)
	}
	return has, nil
}

// StateHolds reports whether a state (Terraform's JSON, version 4) holds
// a resource instance at address (or, for an address without an index,
// any instance of it).
func StateHolds(state []byte, address string) (bool, error) {
	addrs, err := addresses(state)
	if err != nil {
		return false, err
	}
	for _, a := range addrs {
		if a == address || (len(a) > len(address) && a[:len(address)] == address && a[len(address)] == '[') {
			return true, nil
		}
	}
	return false, nil
}

// pullState reads the stack's state by `state pull`, with its output kept
// out of the log.
func (r *Runner) pullState(ctx context.Context, h *handle, s Stack) ([]byte, error) {
	if err := r.init(ctx, h); err != nil {
		return nil, err
	}
	if err := r.prepare(ctx, h); err != nil {
		return nil, err
	}
	// The state holds sensitive values in clear: it is not logged.
	var text bytes.Buffer
	if err := r.command(ctx, h, "state pull (output not logged: it holds the state)", &text, []string{"state", "pull"}); err != nil {
		return nil, r.fail(h, "state pull", err)
	}
	return text.Bytes(), nil
}

// Import adopts an existing object into the stack's state at address, with
// the stack's inputs (import evaluates the configuration). Both engines
// take the same `import -var-file=… -lock-timeout=… ADDRESS ID`.
func (r *Runner) Import(ctx context.Context, s Stack, address, id string) error {
	h, done, err := r.ready(ctx, s)
	if err != nil {
		return err
	}
	defer done()
	args := importOptions{LockTimeout: r.lockTimeout(), VarFiles: varFiles(h), Address: address, ID: id, Locking: h.locking()}.args()
	if err := r.command(ctx, h, "import "+address, h.log, args); err != nil {
		return r.fail(h, "import "+address, err)
	}
	return nil
}
