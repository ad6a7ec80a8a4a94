package restore

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A restored table is counted against its backup: whole, it verifies; an
// item lost after the restore is a mismatch, with both counts.
func TestVerifyTableCountsItemsAgainstTheBackup(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := ddb(t)
	name := unique("verify")
	createTable(t, db, name, 12)
	backup(t, db, name)
	deleteTable(t, db, name)
	tables := NewTables(awsConfig(t), "")
	opts := TableOptions{Table: name, From: FromBackup}
	res, err := tables.Restore(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	v, err := tables.Verify(ctx, opts, res)
	if err != nil {
		t.Fatal(err)
	}
	if !v.OK || *v.Items != 12 || *v.SourceItems != 12 || v.MismatchCount != 0 {
		t.Fatalf("a whole restore: %+v", v)
	}
	if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(name),
		Key: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "3"}}}); err != nil {
		t.Fatal(err)
	}
	v, err = tables.Verify(ctx, opts, res)
	if err != nil {
		t.Fatal(err)
	}
	if v.OK || v.MismatchCount != 1 || !strings.Contains(v.String(), "11 items, the source had 12") {
		t.Errorf("an item lost: %+v (%s)", v, v)
	}
}
