package bootstrap

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tfrebuild/tfrebuild/internal/awserr"
)

// LockInfo is Terraform's record of who holds a state lock.
type LockInfo struct {
	ID        string    `json:"ID"`
	Operation string    `json:"Operation"`
	Who       string    `json:"Who"`
	Version   string    `json:"Version"`
	Created   time.Time `json:"Created"`
	Path      string    `json:"Path"`
}

func (l LockInfo) String() string {
	return fmt.Sprintf("held by %s since %s (%s, Terraform %s, lock ID %s)", l.Who, l.Created.Format(time.RFC3339), l.Operation, l.Version, l.ID)
}

// StateLock reads the lock Terraform holds on a state object, from the
// DynamoDB lock table (item LockID = bucket/key) or, with use_lockfile,
// from the object key.tflock. It returns nil when the state is not locked.
func (s *Session) StateLock(ctx context.Context, account, bucket, key, table string, lockfile bool) (*LockInfo, error) {
	var raw string
	if table != "" {
		out, err := s.DDB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true),
			Key: map[string]ddbtypes.AttributeValue{"LockID": &ddbtypes.AttributeValueMemberS{Value: bucket + "/" + key}}})
		if err != nil {
			return nil, fmt.Errorf("read the state lock of %s in dynamodb:%s: %w", key, table, err)
		}
		if v, ok := out.Item["Info"].(*ddbtypes.AttributeValueMemberS); ok {
			raw = v.Value
		}
	}
	if raw == "" && lockfile {
		out, err := s.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key + ".tflock"), ExpectedBucketOwner: aws.String(account)})
		switch {
		case awserr.Is(err, "NoSuchKey", "NotFound"):
		case err != nil:
			return nil, fmt.Errorf("read the state lock file s3://%s/%s.tflock: %w", bucket, key, err)
		default:
			b, err := io.ReadAll(io.LimitReader(out.Body, 1<<20))
			out.Body.Close()
			if err != nil {
				return nil, err
			}
			raw = string(b)
		}
	}
	if raw == "" {
		return nil, nil
	}
	info := &LockInfo{}
	if err := json.Unmarshal([]byte(raw), info); err != nil {
		return nil, fmt.Errorf("parse the state lock of %s: %w", key, err)
	}
	return info, nil
}

// StateExists reports whether a stack's state object exists, without
// writing anything: false when the bucket or the object is missing.
func (s *Session) StateExists(ctx context.Context, account, bucket, key string) (bool, error) {
	_, err := s.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), ExpectedBucketOwner: aws.String(account)})
	switch {
	case err == nil:
		return true, nil
	case awserr.Is(err, "NotFound", "NoSuchKey", "NoSuchBucket", "404"):
		return false, nil
	}
	return false, fmt.Errorf("check for the state s3://%s/%s: %w", bucket, key, err)
}
