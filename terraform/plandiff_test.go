package terraform

import (
	"encoding/json"
	"reflect"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
)

func TestAttrChanges(t *testing.T) {
	t.Parallel()
	var c tfjson.Change
	err := json.Unmarshal([]byte(`{
	  "actions": ["delete", "create"],
	  "before": {"name": "a", "size": 1, "password": "old-secret", "tags": {"env": "dev", "team": "x"}, "ports": [80], "id": "i-1", "out": {"k": "v"}},
	  "after":  {"name": "b", "size": 1, "password": "new-secret", "tags": {"env": "prod", "team": "x"}, "ports": [80, 443]},
	  "after_unknown": {"id": true, "out": true},
	  "before_sensitive": {"password": true},
	  "after_sensitive": {"password": true},
	  "replace_paths": [["name"]]
	}`), &c)
	if err != nil {
		t.Fatal(err)
	}
	got := attrChanges(&c)
	want := []AttrChange{
		{Path: "id", Before: `"i-1"`, After: UnknownText},
		{Path: "name", Before: `"a"`, After: `"b"`, ForcesReplacement: true},
		{Path: "out", Before: "{…}", After: UnknownText},
		{Path: "password", Before: SensitiveText, After: SensitiveText},
		{Path: "ports[1]", After: "443"},
		{Path: "tags.env", Before: `"dev"`, After: `"prod"`},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("attrChanges:\n got %+v\nwant %+v", got, want)
	}
	for _, a := range got {
		if a.Before == `"old-secret"` || a.After == `"new-secret"` {
			t.Errorf("a sensitive value shows: %+v", a)
		}
	}
	// A whole-object sensitivity mask hides every attribute under it.
	c = tfjson.Change{Actions: tfjson.Actions{tfjson.ActionCreate}, After: map[string]any{"cfg": map[string]any{"k": "v"}},
		AfterSensitive: map[string]any{"cfg": true}}
	if got := attrChanges(&c); len(got) != 1 || got[0].After != SensitiveText {
		t.Errorf("masked subtree: %+v", got)
	}
	if got := attrChanges(&tfjson.Change{Actions: tfjson.Actions{tfjson.ActionDelete}, Before: map[string]any{"a": "b"}}); got != nil {
		t.Errorf("a delete lists attributes: %+v", got)
	}
}
