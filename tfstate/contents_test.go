package tfstate

import (
	"slices"
	"testing"
)

// The buckets of a state, by address: managed aws_s3_bucket instances
// only (a data source is someone else's bucket), counted and keyed.
func TestParseContentsBuckets(t *testing.T) {
	t.Parallel()
	body := `{"version": 4, "outputs": {"url": {"value": "x", "type": "string"}}, "resources": [
	  {"mode": "managed", "type": "aws_s3_bucket", "name": "data", "instances": [{"attributes": {"bucket": "b1", "id": "b1"}}]},
	  {"module": "module.m", "mode": "managed", "type": "aws_s3_bucket", "name": "logs", "instances": [
	    {"index_key": 0, "attributes": {"id": "b2"}}, {"index_key": "k", "attributes": {"bucket": "b3"}}]},
	  {"mode": "data", "type": "aws_s3_bucket", "name": "theirs", "instances": [{"attributes": {"bucket": "b4"}}]},
	  {"mode": "managed", "type": "terraform_data", "name": "x", "instances": [{"attributes": {"id": "y"}}]}]}`
	sc, err := ParseContents([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	want := []Bucket{{"aws_s3_bucket.data", "b1"}, {"module.m.aws_s3_bucket.logs[0]", "b2"}, {`module.m.aws_s3_bucket.logs["k"]`, "b3"}}
	if !slices.Equal(sc.Buckets, want) || sc.Resources != 4 || sc.Outputs != 1 {
		t.Errorf("got %+v, want buckets %+v, 4 resources, 1 output", sc, want)
	}
}

func TestCheckTellsAStateFromGarbage(t *testing.T) {
	t.Parallel()
	for body, ok := range map[string]bool{
		`{"version": 4, "serial": 3, "lineage": "a-b", "resources": []}`: true,
		`{"version": 4, "serial": 3, "lineage": "a-b", "resou`:           false,
		`garbage`:                       false,
		`{"hello": "world"}`:            false,
		`{"version": 4, "lineage": ""}`: false,
	} {
		if err := Check([]byte(body)); (err == nil) != ok {
			t.Errorf("Check(%q) = %v, want ok %v", body, err, ok)
		}
	}
}
