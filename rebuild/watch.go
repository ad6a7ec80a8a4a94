package rebuild

import (
	"context"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

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

func (w watched) Apply(ctx context.Context, s terraform.Stack) (*terraform.Result, error) {
	w.c.applying("stack." + s.Name)
	res, err := w.Terraform.Apply(ctx, s)
	if res != nil {
		w.c.secrets(res.Outputs.Values, res.Outputs.Sensitive)
	}
	return res, err
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
	return imp.Import(ctx, s, address, id)
}

var _ importer = watched{}
