package terraform

import (
	"strings"
	"testing"
)

func TestImportBlocksByEngineVersion(t *testing.T) {
	for _, c := range []struct {
		engine, version string
		want            bool
	}{
		{"", "1.11.4", true}, {EngineTerraform, "1.5.0", true}, {EngineTerraform, "1.4.7", false},
		{EngineOpenTofu, "1.6.0", true}, {EngineOpenTofu, "1.12.6", true}, {"", "garbage", false},
	} {
		if got := (&Binary{Engine: c.engine, Version: c.version}).ImportBlocks(); got != c.want {
			t.Errorf("%s %s: import blocks %v, want %v", c.engine, c.version, got, c.want)
		}
	}
	if (*Binary)(nil).ImportBlocks() {
		t.Error("no binary takes import blocks")
	}
}

func TestImportBlocksRenderAddressAndLiteralID(t *testing.T) {
	got := importBlocks([]Import{{"aws_dynamodb_table.orders", "orders-orders"}, {"module.db.aws_dynamodb_table.t", `odd"${x}%{y}`}})
	for _, want := range []string{
		"import {\n  to = aws_dynamodb_table.orders\n  id = \"orders-orders\"\n}",
		"import {\n  to = module.db.aws_dynamodb_table.t\n  id = \"odd\\\"$${x}%%{y}\"\n}",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("import blocks lack\n%s\nin\n%s", want, got)
		}
	}
}
