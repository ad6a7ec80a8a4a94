package restore

import (
	"strings"
	"testing"
)

// Hints that name AWS resources carry the region: on a laptop whose
// default region is the lost one, a hint without it acts on the wrong
// table.
func TestHintsNameTheRegion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&ExistingTableError{Table: "orders", Region: "eu-west-2"}, "aws dynamodb delete-table --table-name orders --region eu-west-2"},
		{&NoBackupError{Table: "orders", Region: "eu-west-1"}, "aws dynamodb list-backups --table-name orders --region eu-west-1"},
	} {
		if !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%v\nlacks %q", tc.err, tc.want)
		}
	}
}
