package lease

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/internal/awserr"
)

// DynamoDB keeps the lease as an item of the lock table (hash key
// LockID), beside Terraform's lock items: its Version attribute grows by
// one on every write, and each write is conditional on the one read.
type DynamoDB struct {
	DB    *ddb.Client
	Table string
	ID    string // the item's LockID
}

var _ Store = (*DynamoDB)(nil)

func (d *DynamoDB) Where() string { return "dynamodb:" + d.Table + "/" + d.ID }

func (d *DynamoDB) key() map[string]ddbtypes.AttributeValue {
	return map[string]ddbtypes.AttributeValue{"LockID": &ddbtypes.AttributeValueMemberS{Value: d.ID}}
}

func (d *DynamoDB) Read(ctx context.Context) (*checkpoint.Holder, string, error) {
	out, err := d.DB.GetItem(ctx, &ddb.GetItemInput{TableName: aws.String(d.Table), Key: d.key(), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, "", conflict(err)
	}
	if out.Item == nil {
		return nil, "", nil
	}
	body, _ := out.Item["Holder"].(*ddbtypes.AttributeValueMemberS)
	ver, _ := out.Item["Version"].(*ddbtypes.AttributeValueMemberN)
	h := &checkpoint.Holder{}
	if body == nil || ver == nil || json.Unmarshal([]byte(body.Value), h) != nil {
		return nil, "", fmt.Errorf("the item %s is not a run lease; delete it if nothing runs", d.Where())
	}
	return h, ver.Value, nil
}

func (d *DynamoDB) Put(ctx context.Context, h checkpoint.Holder, version string) (string, error) {
	n, _ := strconv.ParseInt(version, 10, 64)
	next := strconv.FormatInt(n+1, 10)
	body, err := json.Marshal(h)
	if err != nil {
		return "", err
	}
	item := d.key()
	item["Holder"] = &ddbtypes.AttributeValueMemberS{Value: string(body)}
	item["Version"] = &ddbtypes.AttributeValueMemberN{Value: next}
	in := &ddb.PutItemInput{TableName: aws.String(d.Table), Item: item}
	d.condition(version, &in.ConditionExpression, &in.ExpressionAttributeValues)
	if _, err := d.DB.PutItem(ctx, in); err != nil {
		return "", conflict(err)
	}
	return next, nil
}

func (d *DynamoDB) Delete(ctx context.Context, version string) error {
	in := &ddb.DeleteItemInput{TableName: aws.String(d.Table), Key: d.key()}
	d.condition(version, &in.ConditionExpression, &in.ExpressionAttributeValues)
	_, err := d.DB.DeleteItem(ctx, in)
	if awserr.Is(err, "ResourceNotFoundException") {
		return nil // the table is gone, and the lease with it
	}
	return conflict(err)
}

// condition makes a write conditional on the version read ("": none).
func (d *DynamoDB) condition(version string, expr **string, values *map[string]ddbtypes.AttributeValue) {
	if version == "" {
		*expr = aws.String("attribute_not_exists(LockID)")
		return
	}
	*expr = aws.String("Version = :v")
	*values = map[string]ddbtypes.AttributeValue{":v": &ddbtypes.AttributeValueMemberN{Value: version}}
}

// conflict turns a failed condition into ErrConflict, and a table that
// does not exist into ErrNoStore.
func conflict(err error) error {
	if awserr.Is(err, "ResourceNotFoundException") {
		return fmt.Errorf("%w: %v", ErrNoStore, err)
	}
	if awserr.Is(err, "ConditionalCheckFailedException", "PreconditionFailed", "ConditionalRequestConflict") {
		return fmt.Errorf("%w: %v", ErrConflict, err)
	}
	return err
}

var _ BesideStore = (*DynamoDB)(nil)

// PutBeside writes the lease and beside in one transaction.
func (d *DynamoDB) PutBeside(ctx context.Context, h checkpoint.Holder, beside []ddbtypes.TransactWriteItem) (string, bool, error) {
	body, err := json.Marshal(h)
	if err != nil {
		return "", false, err
	}
	item := d.key()
	item["Holder"] = &ddbtypes.AttributeValueMemberS{Value: string(body)}
	item["Version"] = &ddbtypes.AttributeValueMemberN{Value: "1"}
	put := &ddbtypes.Put{TableName: aws.String(d.Table), Item: item}
	d.condition("", &put.ConditionExpression, &put.ExpressionAttributeValues)
	items := append([]ddbtypes.TransactWriteItem{{Put: put}}, beside...)
	_, err = d.DB.TransactWriteItems(ctx, &ddb.TransactWriteItemsInput{TransactItems: items})
	if err == nil {
		return "1", true, nil
	}
	var canceled *ddbtypes.TransactionCanceledException
	if !errors.As(err, &canceled) || len(canceled.CancellationReasons) != len(items) {
		return "", false, conflict(err)
	}
	if aws.ToString(canceled.CancellationReasons[0].Code) == "ConditionalCheckFailed" {
		return "", false, fmt.Errorf("%w: %v", ErrConflict, err)
	}
	// One of beside is in place (a state lock held): the lease alone.
	v, err := d.Put(ctx, h, "")
	return v, false, err
}
