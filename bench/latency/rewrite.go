package latency

import (
	"bytes"
	"encoding/json"
)

// Rewrite makes a DynamoDB response body say that the table it describes
// is still being created: TableStatus CREATING instead of ACTIVE and, for a
// restore, RestoreSummary.RestoreInProgress true. It serves DescribeTable
// (under "Table") and the create and restore answers (under
// "TableDescription"). It returns the body unchanged, and false, when
// there is nothing to rewrite.
func Rewrite(body []byte) ([]byte, bool) {
	var doc map[string]json.RawMessage
	if json.Unmarshal(body, &doc) != nil {
		return body, false
	}
	changed := false
	for _, key := range []string{"Table", "TableDescription"} {
		raw, ok := doc[key]
		if !ok {
			continue
		}
		out, ok := creating(raw)
		if ok {
			doc[key], changed = out, true
		}
	}
	if !changed {
		return body, false
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return body, false
	}
	return out, true
}

// creating rewrites one table description.
func creating(raw json.RawMessage) (json.RawMessage, bool) {
	var t map[string]json.RawMessage
	if json.Unmarshal(raw, &t) != nil || !bytes.Equal(bytes.TrimSpace(t["TableStatus"]), []byte(`"ACTIVE"`)) {
		return raw, false
	}
	t["TableStatus"] = json.RawMessage(`"CREATING"`)
	if rs, ok := t["RestoreSummary"]; ok {
		var s map[string]json.RawMessage
		if json.Unmarshal(rs, &s) == nil {
			s["RestoreInProgress"] = json.RawMessage(`true`)
			if b, err := json.Marshal(s); err == nil {
				t["RestoreSummary"] = b
			}
		}
	}
	out, err := json.Marshal(t)
	if err != nil {
		return raw, false
	}
	return out, true
}
