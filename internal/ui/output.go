package ui

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"

	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/tfrebuild/tfrebuild/rebuild"
)

// masked stands for a sensitive value that was not asked for.
const masked = "(sensitive)"

// WriteOutputs prints stack outputs as NAME = VALUE lines (values as
// JSON), under a "# stack.NAME" heading when there is more than one
// stack. Sensitive values are masked unless show is set.
func WriteOutputs(w io.Writer, list []rebuild.StackOutputs, show bool) {
	for i, so := range list {
		if len(list) > 1 {
			if i > 0 {
				fmt.Fprintln(w)
			}
			fmt.Fprintf(w, "# stack.%s\n", so.Stack)
		}
		if !so.Applied {
			fmt.Fprintln(w, "(not applied: no state yet)")
			continue
		}
		names := slices.Sorted(maps.Keys(so.Values))
		width := 0
		for _, n := range names {
			width = max(width, len(n))
		}
		for _, n := range names {
			fmt.Fprintf(w, "%-*s = %s\n", width, n, outputText(so, n, show))
		}
	}
}

func outputText(so rebuild.StackOutputs, name string, show bool) string {
	if so.Sensitive[name] && !show {
		return masked
	}
	v := so.Values[name]
	b, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return "(unprintable: " + err.Error() + ")"
	}
	return string(b)
}

// jsonOutput is one output in output --json, as terraform output -json
// has it; a masked value has no "value".
type jsonOutput struct {
	Sensitive bool            `json:"sensitive"`
	Value     json.RawMessage `json:"value,omitempty"`
}

// WriteOutputsJSON prints the outputs as JSON: for one stack, an object
// of its outputs; for several, an object of stacks (those without state
// left out). Sensitive values are left out unless show is set.
func WriteOutputsJSON(w io.Writer, list []rebuild.StackOutputs, show bool, oneStack bool) error {
	all := map[string]map[string]jsonOutput{}
	for _, so := range list {
		if !so.Applied {
			continue
		}
		outs := map[string]jsonOutput{}
		for n, v := range so.Values {
			o := jsonOutput{Sensitive: so.Sensitive[n]}
			if show || !o.Sensitive {
				b, err := ctyjson.Marshal(v, v.Type())
				if err != nil {
					return fmt.Errorf("output %s.%s: %w", so.Stack, n, err)
				}
				o.Value = b
			}
			outs[n] = o
		}
		all[so.Stack] = outs
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if oneStack && len(list) == 1 {
		if out := all[list[0].Stack]; out != nil {
			return enc.Encode(out)
		}
		return enc.Encode(map[string]jsonOutput{})
	}
	return enc.Encode(all)
}
