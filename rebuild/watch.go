package rebuild

import (
	"context"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/terraform"
)

// watched is the Terraform every mode uses: the real one, seen by the
// run's record. It tells record which stacks an attempt really applied
// (an attempt that ran no apply found the stack up to date), and it hands
// every sensitive output value the run reads to the event bus, so that no
// event, notification or summary can carry one even by mistake.
type watched struct {
	Terraform
	c *core
}

// Every command that writes a state verifies the run lease first: a run
// that lost it stops before its next write.
func (w watched) Apply(ctx context.Context, s terraform.Stack) (*terraform.Result, error) {
	if err := w.c.verifyLease(ctx); err != nil {
		return nil, err
	}
	w.c.applying("stack." + s.Name)
	return w.Terraform.Apply(ctx, w.progress(s))
}

func (w watched) Destroy(ctx context.Context, s terraform.Stack) (bool, error) {
	if err := w.c.verifyLease(ctx); err != nil {
		return false, err
	}
	return w.Terraform.Destroy(ctx, w.progress(s))
}

// progress makes Terraform's per-resource progress of a stack
// resource_progress events, unless the caller already listens to it.
func (w watched) progress(s terraform.Stack) terraform.Stack {
	if s.Progress == nil {
		stage := "stack." + s.Name
		s.Progress = func(e terraform.ResourceEvent) { w.c.resourceProgress(stage, e) }
	}
	return s
}

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

func (w watched) Outputs(ctx context.Context, s terraform.Stack) (terraform.Outputs, error) {
	outs, err := w.Terraform.Outputs(ctx, s)
	w.c.secrets(outs.Values, outs.Sensitive)
	return outs, err
}

func (w watched) Plan(ctx context.Context, s terraform.Stack) (*terraform.PlanResult, error) {
	res, err := w.Terraform.Plan(ctx, s)
	if res != nil {
		w.c.secrets(res.Outputs, res.Sensitive)
	}
	return res, err
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

// StateHas and Import pass a restore's import through, when the wrapped
// Terraform can import at all.
func (w watched) StateHas(ctx context.Context, s terraform.Stack, address string) (bool, error) {
	imp, ok := w.Terraform.(importer)
	if !ok {
		return false, errCannotImport
	}
	return imp.StateHas(ctx, s, address)
}

func (w watched) Import(ctx context.Context, s terraform.Stack, address, id string) error {
	imp, ok := w.Terraform.(importer)
	if !ok {
		return errCannotImport
	}
	if err := w.c.verifyLease(ctx); err != nil {
		return err
	}
	return imp.Import(ctx, s, address, id)
}

var _ importer = watched{}
