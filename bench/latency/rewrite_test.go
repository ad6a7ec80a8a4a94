package latency

import (
	"encoding/json"
	"testing"
)

func TestRewriteDescribeTable(t *testing.T) {
	t.Parallel()
	in := `{"Table": {"TableName": "t1", "TableStatus": "ACTIVE", "ItemCount": 3, "RestoreSummary": {"SourceBackupArn": "arn:b", "RestoreInProgress": false}}}`
	out, ok := Rewrite([]byte(in))
	if !ok {
		t.Fatal("nothing rewritten")
	}
	var v struct {
		Table struct {
			TableName, TableStatus string
			ItemCount              int
			RestoreSummary         struct {
				SourceBackupArn   string
				RestoreInProgress bool
			}
		}
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatal(err)
	}
	if v.Table.TableStatus != "CREATING" || !v.Table.RestoreSummary.RestoreInProgress {
		t.Errorf("rewritten = %s", out)
	}
	if v.Table.TableName != "t1" || v.Table.ItemCount != 3 || v.Table.RestoreSummary.SourceBackupArn != "arn:b" {
		t.Errorf("other fields changed: %s", out)
	}
}

func TestRewriteCreateAnswer(t *testing.T) {
	t.Parallel()
	out, ok := Rewrite([]byte(`{"TableDescription":{"TableName":"t","TableStatus":"ACTIVE"}}`))
	if !ok || string(out) != `{"TableDescription":{"TableName":"t","TableStatus":"CREATING"}}` {
		t.Errorf("Rewrite = %s, %v", out, ok)
	}
}

func TestRewriteLeavesOthers(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		`{"Table":{"TableName":"t","TableStatus":"DELETING"}}`,
		`{"TableNames":["a","b"]}`,
		`not json`,
		`{"__type":"ResourceNotFoundException","message":"gone"}`,
	} {
		if out, ok := Rewrite([]byte(in)); ok || string(out) != in {
			t.Errorf("Rewrite(%s) = %s, %v; want it unchanged", in, out, ok)
		}
	}
}
