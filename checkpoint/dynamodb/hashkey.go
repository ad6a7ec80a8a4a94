package dynamodb

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/internal/awserr"
)

var _ checkpoint.KeyStore = (*Store)(nil)

// HashKey keeps the checkpoint's hash key in the item
// tfrebuild/<key>/hashkey of the lock table (encrypted at rest like the
// table, readable only by who can read the lock table): written once,
// conditionally, and read back, so two machines starting at once agree.
func (s *Store) HashKey(ctx context.Context, fresh []byte) ([]byte, error) {
	item := s.id("hashkey")
	item["Key"] = &ddbtypes.AttributeValueMemberB{Value: fresh}
	_, err := s.DB.PutItem(ctx, &ddb.PutItemInput{TableName: aws.String(s.Table), Item: item,
		ConditionExpression: aws.String("attribute_not_exists(LockID)")})
	if err != nil && !awserr.Is(err, "ConditionalCheckFailedException") {
		return nil, fmt.Errorf("store the checkpoint key in dynamodb:%s: %w", s.Table, err)
	}
	out, err := s.DB.GetItem(ctx, &ddb.GetItemInput{TableName: aws.String(s.Table), Key: s.id("hashkey"), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("read the checkpoint key from dynamodb:%s: %w", s.Table, err)
	}
	key, ok := out.Item["Key"].(*ddbtypes.AttributeValueMemberB)
	if !ok || len(key.Value) < 16 {
		return nil, fmt.Errorf("the checkpoint key in dynamodb:%s (item tfrebuild/%s/hashkey) is damaged; delete that item (the next apply makes a new key and applies every stack once more)", s.Table, s.Key)
	}
	return key.Value, nil
}
