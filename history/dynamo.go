package history

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DynamoStore keeps each record as an item tfrebuild/<key>/history/<ID>
// of the lock table (hash key LockID), beside the checkpoint's items.
type DynamoStore struct {
	DB    *ddb.Client
	Table string
	Key   string // project/account/region, as the checkpoint store's
}

var _ Store = (*DynamoStore)(nil)

func (s *DynamoStore) prefix() string { return "tfrebuild/" + s.Key + "/history/" }

// Append puts the record's item.
func (s *DynamoStore) Append(ctx context.Context, r Record) error {
	r.Schema = Schema
	body, err := json.Marshal(r)
	if err != nil {
		return err
	}
	item := map[string]ddbtypes.AttributeValue{
		"LockID": &ddbtypes.AttributeValueMemberS{Value: s.prefix() + r.ID()},
		"Body":   &ddbtypes.AttributeValueMemberS{Value: string(body)},
	}
	if _, err := s.DB.PutItem(ctx, &ddb.PutItemInput{TableName: aws.String(s.Table), Item: item}); err != nil {
		return fmt.Errorf("history: write a record to dynamodb:%s: %w", s.Table, err)
	}
	return nil
}

// List scans the table for the target's records (a lock table holds a
// few items per stack: the scan is small).
func (s *DynamoStore) List(ctx context.Context, n int) ([]Record, error) {
	in := &ddb.ScanInput{TableName: aws.String(s.Table), ConsistentRead: aws.Bool(true),
		FilterExpression:          aws.String("begins_with(LockID, :p)"),
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":p": &ddbtypes.AttributeValueMemberS{Value: s.prefix()}}}
	var out []Record
	for p := ddb.NewScanPaginator(s.DB, in); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("history: read the records in dynamodb:%s: %w", s.Table, err)
		}
		for _, item := range page.Items {
			id, _ := item["LockID"].(*ddbtypes.AttributeValueMemberS)
			body, _ := item["Body"].(*ddbtypes.AttributeValueMemberS)
			var r Record
			if body == nil || json.Unmarshal([]byte(body.Value), &r) != nil {
				name := "?"
				if id != nil {
					name = id.Value
				}
				return nil, fmt.Errorf("history: the item %s of dynamodb:%s is not a history record; delete it", name, s.Table)
			}
			out = append(out, r)
		}
	}
	sortRecords(out)
	return newest(out, n), nil
}
