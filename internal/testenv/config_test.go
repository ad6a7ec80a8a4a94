package testenv

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

const sample = `project = "orders"
target {
  account_id = "123456789012"
  region     = "eu-west-2" # the primary region
}
state {
  bucket = "orders-tfstate-123456789012-eu-west-2"
}
stack "shared" {
  source = "stacks/shared"
  inputs = {
    region = "eu-west-2"
  }
}
stack "green" {
  source = "/abs/env"
  inputs = { colour = "green", region = "eu-west-2" }
}
stack "link" {
  source = "stacks/link"
}
`

// attrs evaluates every literal attribute of the edited file, by
// "block[.label].name" and "block[.label].inputs.name".
func attrs(t *testing.T, src []byte) map[string]string {
	t.Helper()
	f, diags := hclsyntax.ParseConfig(src, "x.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("%s\n%s", diags, src)
	}
	out := map[string]string{}
	for _, b := range f.Body.(*hclsyntax.Body).Blocks {
		prefix := strings.Join(append([]string{b.Type}, b.Labels...), ".")
		for name, a := range b.Body.Attributes {
			v, _ := a.Expr.Value(nil)
			if name == "inputs" {
				for k, iv := range v.AsValueMap() {
					out[prefix+".inputs."+k] = iv.AsString()
				}
				continue
			}
			out[prefix+"."+name] = v.AsString()
		}
	}
	return out
}

func TestEditConfig(t *testing.T) {
	t.Parallel()
	got, err := EditConfig([]byte(sample), "x.hcl", ConfigEdit{
		Attrs:     map[string]string{"target.region": "us-west-2", "state.bucket": "b-us-west-2"},
		Inputs:    map[string]string{"region": "us-west-2", "aws_endpoint": "http://127.0.0.1:5000"},
		SourceDir: "/src/orders",
	})
	if err != nil {
		t.Fatal(err)
	}
	a := attrs(t, got)
	want := map[string]string{
		"target.region":                    "us-west-2",
		"target.account_id":                "123456789012",
		"state.bucket":                     "b-us-west-2",
		"stack.shared.source":              "/src/orders/stacks/shared",
		"stack.shared.inputs.region":       "us-west-2",
		"stack.shared.inputs.aws_endpoint": "http://127.0.0.1:5000",
		"stack.green.source":               "/abs/env",
		"stack.green.inputs.colour":        "green",
		"stack.green.inputs.region":        "us-west-2",
		"stack.green.inputs.aws_endpoint":  "http://127.0.0.1:5000",
		"stack.link.inputs.region":         "us-west-2",
		"stack.link.inputs.aws_endpoint":   "http://127.0.0.1:5000",
	}
	for k, v := range want {
		if a[k] != v {
			t.Errorf("%s = %q, want %q\n%s", k, a[k], v, got)
		}
	}
	if !strings.Contains(string(got), "# the primary region") {
		t.Errorf("comment lost:\n%s", got)
	}
}

func TestEditConfigMissingBlock(t *testing.T) {
	t.Parallel()
	_, err := EditConfig([]byte(`project = "x"`), "x.hcl", ConfigEdit{Attrs: map[string]string{"target.region": "us-east-1"}})
	if err == nil || !strings.Contains(err.Error(), `no "target" block`) {
		t.Fatalf("err = %v, want one naming the missing target block", err)
	}
}

func TestQuoteEscapesTemplates(t *testing.T) {
	t.Parallel()
	got, err := EditConfig([]byte(sample), "x.hcl", ConfigEdit{Inputs: map[string]string{"tricky": `a${b}"c`}})
	if err != nil {
		t.Fatal(err)
	}
	if v := attrs(t, got)["stack.link.inputs.tricky"]; v != `a${b}"c` {
		t.Fatalf("tricky = %q", v)
	}
}
