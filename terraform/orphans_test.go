package terraform

import (
	"os"
	"path/filepath"
	"testing"
)

// A failed apply's log, as the JSON UI writes it (and as the human UI
// does, "with ADDRESS,"): the blocks that say the object exists are
// orphans, by address, once; other errors are not.
func TestOrphansFromAFailedApply(t *testing.T) {
	t.Parallel()
	log := logMarker + "apply\n" + `│ Error: creating SSM Parameter (/orders/key): operation error SSM: PutParameter, https response error StatusCode: 400, RequestID: 1, ParameterAlreadyExists: The parameter already exists. To overwrite this request value set the overwrite option in the request to true.
│   on main.tf line 12
│   with aws_ssm_parameter.key
│ 
╵
│ Error: creating S3 Bucket (orders-data): operation error S3: CreateBucket, https response error StatusCode: 409, BucketAlreadyOwnedByYou: Your previous request to create the named bucket succeeded and you already own it.
│ 
│   with module.data.aws_s3_bucket.this["a"],
│   on modules/data/main.tf line 1, in resource "aws_s3_bucket" "this":
╵
│ Error: creating Amazon DynamoDB Table (orders): operation error DynamoDB: CreateTable, https response error StatusCode: 400, ResourceInUseException: Table already exists: orders
│   with aws_dynamodb_table.orders
╵
│ Error: creating IAM Role (x): AccessDenied: not authorized
│   with aws_iam_role.x
╵
│ Error: creating SSM Parameter (/orders/key): ParameterAlreadyExists
│   with aws_ssm_parameter.key
╵
`
	path := filepath.Join(t.TempDir(), "apply.log")
	if err := os.WriteFile(path, []byte("old run\n"+log), 0o600); err != nil {
		t.Fatal(err)
	}
	got := Orphans(&StackError{LogPath: path})
	want := []string{"aws_ssm_parameter.key", `module.data.aws_s3_bucket.this["a"]`, "aws_dynamodb_table.orders"}
	if len(got) != len(want) {
		t.Fatalf("orphans %+v, want %v", got, want)
	}
	for i, o := range got {
		if o.Address != want[i] || o.Error == "" {
			t.Errorf("orphan %d: %+v, want %s", i, o, want[i])
		}
	}
	if Orphans(os.ErrNotExist) != nil {
		t.Error("an error that is not Terraform's has orphans")
	}
}

func TestImportIDFromPlannedValues(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		typ   string
		after any
		want  string
	}{
		{"aws_ssm_parameter", map[string]any{"name": "/orders/key", "value": "secret"}, "/orders/key"},
		{"aws_s3_bucket", map[string]any{"bucket": "orders-data"}, "orders-data"},
		{"aws_dynamodb_table", map[string]any{"name": "orders"}, "orders"},
		{"aws_sqs_queue", map[string]any{"name": "q"}, ""}, // its URL is known only after the create
		{"terraform_data", map[string]any{"id": "x"}, ""},
		{"aws_ssm_parameter", nil, ""},
	} {
		if got := importID(tc.typ, tc.after); got != tc.want {
			t.Errorf("importID(%s, %v) = %q, want %q", tc.typ, tc.after, got, tc.want)
		}
	}
}

func TestFirstError(t *testing.T) {
	t.Parallel()
	if got := FirstError(os.ErrNotExist); got != os.ErrNotExist.Error() {
		t.Errorf("FirstError = %q", got)
	}
	err := &StackError{Command: "apply", Lines: []string{"Error: error loading state: no", "detail"}, LogPath: "x"}
	if got := FirstError(err); got != "Error: error loading state: no" {
		t.Errorf("FirstError = %q", got)
	}
}
