package terraform

import (
	"strings"
	"testing"
)

func TestPushRefusalAndPushedAlready(t *testing.T) {
	t.Parallel()
	read := func(s string) StateHeader {
		h, err := ReadStateHeader([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	local := read(`{"lineage": "a", "serial": 1, "resources": [{"type": "x", "name": "y"}]}`)
	for _, tc := range []struct {
		remote       string
		refusal      string
		pushedByHand bool
	}{
		{``, "", false},
		{`{"lineage": "a", "serial": 1, "resources": []}`, "", false},
		{`{"lineage": "b", "serial": 1, "resources": []}`, "lineage a is not the stored state's (b)", false},
		{`{"lineage": "a", "serial": 2, "resources": []}`, "serial 1 is older than the stored state's (2)", false},
		// state push -force gives the pushed state a later serial.
		{`{"lineage": "a", "serial": 2, "resources": [ {"type": "x",  "name": "y"} ]}`, "serial 1 is older", true},
	} {
		remote := read(tc.remote)
		if got := PushRefusal(local, remote); (tc.refusal == "") != (got == "") || !strings.Contains(got, tc.refusal) {
			t.Errorf("PushRefusal(%s) = %q, want %q", tc.remote, got, tc.refusal)
		}
		if got := PushedAlready(local, remote); got != tc.pushedByHand {
			t.Errorf("PushedAlready(%s) = %v", tc.remote, got)
		}
	}
}
