package rebuild

import (
	"context"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestReadOutputs(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.cloud.noState[w.stateKey("app")] = true
	w.tf.state["base"] = map[string]cty.Value{"id": cty.StringVal("b-1")}
	list, err := ReadOutputs(context.Background(), w.cfg, OutputOptions{Deps: w.deps()})
	if err != nil || len(list) != 2 {
		t.Fatalf("%+v %v", list, err)
	}
	if !list[0].Applied || !list[0].Values["id"].RawEquals(cty.StringVal("b-1")) || list[1].Applied {
		t.Errorf("outputs: %+v", list)
	}
	if _, err := ReadOutputs(context.Background(), w.cfg, OutputOptions{Stack: "app", Deps: w.deps()}); err == nil || !strings.Contains(err.Error(), "no state yet") {
		t.Errorf("a stack without state: %v", err)
	}
	if _, err := ReadOutputs(context.Background(), w.cfg, OutputOptions{Stack: "nope", Deps: w.deps()}); err == nil || !strings.Contains(err.Error(), "stacks: base, app") {
		t.Errorf("an unknown stack: %v", err)
	}
}
