package rebuild

import (
	"context"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/terraform"
)

// sensitiveTF reads a state with a sensitive output.
type sensitiveTF struct{ *fakeTF }

func (sensitiveTF) Plan(context.Context, terraform.Stack) (*terraform.PlanResult, error) {
	return &terraform.PlanResult{Outputs: map[string]cty.Value{
		"token": cty.StringVal("s3cr3t-token"), "keys": cty.ListVal([]cty.Value{cty.StringVal("key-one-secret")}), "name": cty.StringVal("public-name")},
		Sensitive: map[string]bool{"token": true, "keys": true}}, nil
}

// Every sensitive output the run reads is redacted from every event,
// whatever puts it there.
func TestSensitiveOutputsNeverLeaveInEvents(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	c := &core{bus: events.NewBus("r", "p", "apply", rec)}
	w := newSeam(c, sensitiveTF{newFakeTF()})
	if _, err := w.Plan(context.Background(), terraform.Stack{Name: "base"}); err != nil {
		t.Fatal(err)
	}
	c.bus.Emit(events.Event{Type: events.StageNote, Message: "oops s3cr3t-token and key-one-secret, public-name", Error: `{"keys":["key-one-secret"]}`})
	e := rec.of(events.StageNote)[0]
	if strings.Contains(e.Message+e.Error, "secret") || !strings.Contains(e.Message, "public-name") {
		t.Errorf("event after redaction: %+v", e)
	}
}

// progressTF reports Terraform's resource progress as the real runner does.
type progressTF struct{ *fakeTF }

func (p progressTF) Apply(ctx context.Context, s terraform.Stack) (*terraform.Result, error) {
	for _, e := range []terraform.ResourceEvent{{Address: "terraform_data.a", Action: "create", Phase: terraform.PhasePlanned, Total: 2},
		{Address: "terraform_data.a", Action: "create", Phase: terraform.PhaseStarted, Total: 2},
		{Address: "terraform_data.a", Action: "create", Phase: terraform.PhaseComplete, Done: 1, Total: 2}} {
		s.Progress(e)
	}
	return p.fakeTF.Apply(ctx, s)
}

// Terraform's per-resource progress is on the bus as resource_progress,
// for the terminal's "applying 1/2" and the --events stream.
func TestResourceProgressBecomesEvents(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	c := &core{bus: events.NewBus("r", "p", "apply", rec), attempts: newRunAttempts()}
	w := newSeam(c, progressTF{newFakeTF()})
	if _, err := w.Apply(context.Background(), terraform.Stack{Name: "base"}); err != nil {
		t.Fatal(err)
	}
	got := rec.of(events.ResourceProgress)
	if len(got) != 2 || got[0].Stage != "stack.base" || got[0].Resource.Phase != "start" ||
		*got[1].Resource != (events.Resource{Address: "terraform_data.a", Action: "create", Phase: "complete", Done: 1, Total: 2}) {
		t.Errorf("resource_progress events: %+v", got)
	}
}
