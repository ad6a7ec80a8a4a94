package rebuild

// Helpers of the seam (seam.go): resource progress as events, and the
// texts of sensitive values for the bus to redact.

import (
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/terraform"
)

// resourcePhases are the phases of Terraform's resource events that are
// resource_progress events, in the events' spelling.
var resourcePhases = map[string]string{terraform.PhaseStarted: "start", terraform.PhaseComplete: "complete", terraform.PhaseErrored: "errored"}

// resourceProgress emits one resource's start, completion or failure.
func (c *core) resourceProgress(stage string, e terraform.ResourceEvent) {
	phase, ok := resourcePhases[e.Phase]
	if !ok || e.Address == "" {
		return
	}
	c.bus.Emit(events.Event{Type: events.ResourceProgress, Stage: stage,
		Resource: &events.Resource{Address: e.Address, Action: e.Action, Phase: phase, Done: e.Done, Total: e.Total}})
}

// secrets tells the bus the values of the sensitive outputs.
func (c *core) secrets(values map[string]cty.Value, sensitive map[string]bool) {
	for name, v := range values {
		if sensitive[name] {
			c.bus.AddSecrets(secretTexts(v)...)
		}
	}
}

// secretTexts are the forms a value can take in text: a string as it
// is, anything else as its JSON and, for collections, every element.
func secretTexts(v cty.Value) []string {
	v, _ = v.UnmarkDeep()
	if v.IsNull() || !v.IsWhollyKnown() {
		return nil
	}
	if v.Type() == cty.String {
		return []string{v.AsString()}
	}
	var out []string
	if b, err := ctyjson.Marshal(v, v.Type()); err == nil {
		out = append(out, string(b))
	}
	if v.CanIterateElements() {
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			out = append(out, secretTexts(e)...)
		}
	}
	return out
}
