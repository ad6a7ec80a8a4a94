package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
	"github.com/tfrebuild/tfrebuild/restore"
	"github.com/tfrebuild/tfrebuild/stages"
)

// The restore tests run the stack in testdata/restore with the real AWS
// provider from the provider mirror: importing aws_dynamodb_table needs it.

// restoreTarget is a target whose stack owns a table and a bucket.
type restoreTarget struct {
	*target
	table, bucket string
	stack         string // the stack's folder under testdata/restore; "data" when empty
}

func newRestoreTarget(t *testing.T, project string) *restoreTarget {
	t.Helper()
	tg := newTarget(t, project)
	// Without the mirror: a failure under CI=true, a skip elsewhere.
	if err := tg.env.UseMirror(testenv.ProviderMirror(t)); err != nil {
		t.Fatal(err)
	}
	return &restoreTarget{target: tg, table: project + "-orders", bucket: project + "-uploads"}
}

// config writes rebuild.hcl: rpo, the stack, and the restore blocks given.
func (rt *restoreTarget) config(rpo, restores string) {
	rt.t.Helper()
	dir := rt.stack
	if dir == "" {
		dir = "data"
	}
	stack, err := filepath.Abs(filepath.Join("testdata", "restore", dir))
	if err != nil {
		rt.t.Fatal(err)
	}
	rt.write(fmt.Sprintf(`rpo = %q
stack "data" {
  source = %q
  inputs = {
    region       = "eu-west-2"
    aws_endpoint = %q
    table        = %q
    bucket       = %q
  }
}
%s`, rpo, stack, rt.env.Moto.URL, rt.table, rt.bucket, restores))
}

func (rt *restoreTarget) ddb() *dynamodb.Client { return dynamodb.NewFromConfig(rt.awsConfig()) }

// makeTable creates the table as the lost environment had it, with items.
func (rt *restoreTarget) makeTable(items ...string) {
	rt.t.Helper()
	ctx := context.Background()
	_, err := rt.ddb().CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(rt.table), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: ddbtypes.KeyTypeHash}}})
	if err != nil {
		rt.t.Fatal(err)
	}
	for _, id := range items {
		if _, err := rt.ddb().PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(rt.table),
			Item: map[string]ddbtypes.AttributeValue{"id": &ddbtypes.AttributeValueMemberS{Value: id}}}); err != nil {
			rt.t.Fatal(err)
		}
	}
}

// items lists the table's item ids, sorted.
func (rt *restoreTarget) items() []string {
	rt.t.Helper()
	out, err := rt.ddb().Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(rt.table)})
	if err != nil {
		rt.t.Fatal(err)
	}
	var ids []string
	for _, it := range out.Items {
		ids = append(ids, it["id"].(*ddbtypes.AttributeValueMemberS).Value)
	}
	slices.Sort(ids)
	return ids
}

// backupAndDelete takes a backup of the table, then loses it.
func (rt *restoreTarget) backupAndDelete() string {
	rt.t.Helper()
	ctx := context.Background()
	b, err := rt.ddb().CreateBackup(ctx, &dynamodb.CreateBackupInput{TableName: aws.String(rt.table), BackupName: aws.String("nightly")})
	if err != nil {
		rt.t.Fatal(err)
	}
	if _, err := rt.ddb().DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(rt.table)}); err != nil {
		rt.t.Fatal(err)
	}
	return aws.ToString(b.BackupDetails.BackupArn)
}

func (rt *restoreTarget) stateHas(stack, typ, name string) bool {
	st := rt.state(stack)
	if st == nil {
		return false
	}
	for _, r := range st.Resources {
		if r.Type == typ && r.Name == name {
			return true
		}
	}
	return false
}

// summaryJSON is the summary line of apply --json.
type summaryJSON struct {
	Type   string `json:"type"`
	Stages []struct {
		Name    string        `json:"name"`
		Status  stages.Status `json:"status"`
		Notes   []string      `json:"notes"`
		Restore *struct {
			Result restore.Result `json:"result"`
			RPO    restore.RPO    `json:"rpo"`
		} `json:"restore"`
	} `json:"stages"`
}

func applySummary(t *testing.T, res testenv.Result) summaryJSON {
	t.Helper()
	for _, line := range strings.Split(res.Stdout, "\n") {
		var s summaryJSON
		if json.Unmarshal([]byte(line), &s) == nil && s.Type == "summary" {
			return s
		}
	}
	t.Fatalf("no summary in\n%s\n%s", res.Stdout, res.Stderr)
	return summaryJSON{}
}

const ordersRestore = `restore "orders" {
  dynamodb_table = %q
  from           = "backup"
  stack          = stack.data
  address        = "aws_dynamodb_table.orders"
}
`

// After a complete rebuild the orders table is lost; a restore block
// brings it back from a backup. The stack that owns it is applied after
// the restore, so the table ends with point-in-time recovery and its tags,
// which a restore does not bring back.
func TestRestoredTableGetsItsSettingsBack(t *testing.T) {
	t.Parallel()
	rt := newRestoreTarget(t, "rst-pitr")
	rt.stack = "pitr"
	rt.config("15m", "")
	wantCode(t, rt.run("apply", "--yes"), 0)
	ctx := context.Background()
	if _, err := rt.ddb().PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(rt.table),
		Item: map[string]ddbtypes.AttributeValue{"id": &ddbtypes.AttributeValueMemberS{Value: "a"}}}); err != nil {
		t.Fatal(err)
	}
	rt.backupAndDelete()
	rt.config("15m", fmt.Sprintf(ordersRestore, rt.table))

	res := rt.run("apply", "--yes")
	wantCode(t, res, 0)
	if got := rt.items(); !slices.Equal(got, []string{"a"}) {
		t.Errorf("items after the restore: %v", got)
	}
	b, err := rt.ddb().DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: aws.String(rt.table)})
	if err != nil {
		t.Fatal(err)
	}
	if d := b.ContinuousBackupsDescription.PointInTimeRecoveryDescription; d == nil || d.PointInTimeRecoveryStatus != ddbtypes.PointInTimeRecoveryStatusEnabled {
		t.Errorf("the restored table has no point-in-time recovery: %+v\n%s", d, res.Stderr)
	}
	desc, err := rt.ddb().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(rt.table)})
	if err != nil {
		t.Fatal(err)
	}
	tags, err := rt.ddb().ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: desc.Table.TableArn})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(tags.Tags, func(t ddbtypes.Tag) bool {
		return aws.ToString(t.Key) == "DataClass" && aws.ToString(t.Value) == "orders"
	}) {
		t.Errorf("the restored table lost its tags: %+v\n%s", tags.Tags, res.Stderr)
	}
}
