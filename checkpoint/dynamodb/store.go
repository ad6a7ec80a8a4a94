package dynamodb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/internal/awserr"
)

// HeartbeatTTL is how long a run lock lives without a heartbeat before
// another machine may take it over.
const HeartbeatTTL = 90 * time.Second

// Store is a checkpoint.Store in a DynamoDB table whose hash key is LockID
// (Terraform's lock table). Items are keyed tfrebuild/<key>/checkpoint and
// tfrebuild/<key>/run, beside Terraform's own lock items.
type Store struct {
	DB    *ddb.Client
	Table string
	Key   string // project/account/region
	// Heartbeat is how often a held lock is refreshed; HeartbeatTTL/3 when 0.
	Heartbeat time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time

	mu      sync.Mutex
	version int64 // the Version of the checkpoint item last read or written
}

var _ checkpoint.Store = (*Store)(nil)

// ErrConflict is a checkpoint written by someone else since we read it.
var ErrConflict = errors.New("the checkpoint was changed by another run since this one read it")

func (s *Store) id(kind string) map[string]ddbtypes.AttributeValue {
	return map[string]ddbtypes.AttributeValue{"LockID": &ddbtypes.AttributeValueMemberS{Value: "tfrebuild/" + s.Key + "/" + kind}}
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Store) Load(ctx context.Context) (*checkpoint.Checkpoint, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out, err := s.DB.GetItem(ctx, &ddb.GetItemInput{TableName: aws.String(s.Table), Key: s.id("checkpoint"), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("read checkpoint from dynamodb:%s: %w", s.Table, err)
	}
	if out.Item == nil {
		s.version = 0
		return nil, nil
	}
	body, _ := out.Item["Body"].(*ddbtypes.AttributeValueMemberS)
	ver, _ := out.Item["Version"].(*ddbtypes.AttributeValueMemberN)
	if body == nil || ver == nil {
		return nil, fmt.Errorf("%w: dynamodb:%s item %s lacks Body or Version", checkpoint.ErrCorrupt, s.Table, "tfrebuild/"+s.Key+"/checkpoint")
	}
	c := &checkpoint.Checkpoint{}
	if err := json.Unmarshal([]byte(body.Value), c); err != nil {
		return nil, fmt.Errorf("%w: dynamodb:%s: %v", checkpoint.ErrCorrupt, s.Table, err)
	}
	if err := checkpoint.CheckSchema(c, "in dynamodb:"+s.Table); err != nil {
		return nil, err
	}
	s.version, _ = strconv.ParseInt(ver.Value, 10, 64)
	return c, nil
}

// Save writes the checkpoint only if nobody else wrote it since this store
// last read or wrote it.
func (s *Store) Save(ctx context.Context, c *checkpoint.Checkpoint) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.Schema = checkpoint.SchemaVersion
	body, err := json.Marshal(c)
	if err != nil {
		return err
	}
	item := s.id("checkpoint")
	item["Body"] = &ddbtypes.AttributeValueMemberS{Value: string(body)}
	item["Version"] = &ddbtypes.AttributeValueMemberN{Value: strconv.FormatInt(s.version+1, 10)}
	in := &ddb.PutItemInput{TableName: aws.String(s.Table), Item: item}
	if s.version == 0 {
		in.ConditionExpression = aws.String("attribute_not_exists(LockID)")
	} else {
		in.ConditionExpression = aws.String("Version = :v")
		in.ExpressionAttributeValues = map[string]ddbtypes.AttributeValue{":v": &ddbtypes.AttributeValueMemberN{Value: strconv.FormatInt(s.version, 10)}}
	}
	_, err = s.DB.PutItem(ctx, in)
	if awserr.Is(err, "ConditionalCheckFailedException") {
		return fmt.Errorf("save checkpoint to dynamodb:%s: %w", s.Table, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("save checkpoint to dynamodb:%s: %w", s.Table, err)
	}
	s.version++
	return nil
}
