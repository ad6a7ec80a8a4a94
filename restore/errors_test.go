package restore

import (
	"strings"
	"testing"

	"github.com/tfrebuild/tfrebuild/internal/cmdline"
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

// #24.5: the delete-table hint acts in the table's region, and says whose
// credentials to use when the table is in another account than the target.
func TestExistingEmptyTableHintNamesRegionAndAccount(t *testing.T) {
	t.Parallel()
	e := &ExistingTableError{Table: "orders", Region: "eu-west-1",
		Account: cmdline.Where{Account: "210987654321", Label: "data", Other: true}}
	if msg := e.Error(); !strings.Contains(msg, "aws dynamodb delete-table --table-name orders --region eu-west-1  # with credentials for account data (210987654321)") {
		t.Errorf("hint: %s", msg)
	}
	e.Account = cmdline.Where{}
	if msg := e.Error(); !strings.Contains(msg, "(aws dynamodb delete-table --table-name orders --region eu-west-1) and run again") {
		t.Errorf("hint for the target's table: %s", msg)
	}
}
