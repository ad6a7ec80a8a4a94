package terraform

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// Outputs reads the outputs of a stack that is already applied.
func (r *Runner) Outputs(ctx context.Context, s Stack) (Outputs, error) {
	h, err := r.take(s)
	if err != nil {
		return Outputs{}, err
	}
	defer h.mu.Unlock()
	return r.outputs(ctx, h, s)
}

// outputs takes a stack's outputs from its state, read by `state pull`.
// Never `output -json`: it prints sensitive values in clear.
func (r *Runner) outputs(ctx context.Context, h *handle, s Stack) (Outputs, error) {
	state, err := r.pullState(ctx, h, s)
	if err != nil {
		return Outputs{}, err
	}
	outs, err := OutputsFromState(state)
	if err != nil {
		return Outputs{}, fmt.Errorf("stack %s: outputs in its state %s: %w", s.Name, s.Backend.Key, err)
	}
	return outs, nil
}

// stateFile is the part of Terraform's state format (version 4, also
// OpenTofu's) that holds outputs and resources.
type stateFile struct {
	Version int `json:"version"`
	Outputs map[string]struct {
		Value     json.RawMessage `json:"value"`
		Type      json.RawMessage `json:"type"`
		Sensitive bool            `json:"sensitive"`
	} `json:"outputs"`
	Resources []stateResource `json:"resources"`
}

// OutputsFromState takes the outputs out of a state file (Terraform's and
// OpenTofu's JSON state, version 4). An empty state has no outputs.
func OutputsFromState(state []byte) (Outputs, error) {
	out := Outputs{Values: map[string]cty.Value{}, Sensitive: map[string]bool{}}
	if len(state) == 0 {
		return out, nil
	}
	var sf stateFile
	if err := json.Unmarshal(state, &sf); err != nil {
		return out, fmt.Errorf("not a Terraform state: %w", err)
	}
	if sf.Version != 4 {
		return out, fmt.Errorf("state format version %d; tfrebuild reads version 4", sf.Version)
	}
	for name, o := range sf.Outputs {
		ty, err := ctyjson.UnmarshalType(o.Type)
		if err != nil {
			return out, fmt.Errorf("output %q: type: %w", name, err)
		}
		v, err := ctyjson.Unmarshal(o.Value, ty)
		if err != nil {
			return out, fmt.Errorf("output %q: value: %w", name, err)
		}
		out.Values[name] = v
		out.Sensitive[name] = o.Sensitive
	}
	return out, nil
}
