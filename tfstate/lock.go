package tfstate

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

// Lock reads the lock Terraform holds on the state, from the lock table
// (item LockID = bucket/key) or, with use_lockfile, from the object
// key.tflock. It returns nil when the state is not locked.
func (c *Client) Lock(ctx context.Context, l Location) (*LockInfo, error) {
	raw, err := c.tableLock(ctx, l)
	if err != nil {
		return nil, err
	}
	if raw == "" && l.UseLockfile {
		if raw, err = c.fileLock(ctx, l); err != nil {
			return nil, err
		}
	}
	return parseLock(l, raw)
}

func parseLock(l Location, raw string) (*LockInfo, error) {
	if raw == "" {
		return nil, nil
	}
	info := &LockInfo{}
	if err := json.Unmarshal([]byte(raw), info); err != nil {
		return nil, fmt.Errorf("parse the state lock of %s: %w", l.Key, err)
	}
	return info, nil
}

func (l Location) lockItem() map[string]ddbtypes.AttributeValue {
	return map[string]ddbtypes.AttributeValue{"LockID": &ddbtypes.AttributeValueMemberS{Value: l.Bucket + "/" + l.Key}}
}

// tableLock is the Info of the lock-table item, "" without one.
func (c *Client) tableLock(ctx context.Context, l Location) (string, error) {
	if l.LockTable == "" {
		return "", nil
	}
	out, err := c.DDB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(l.LockTable), ConsistentRead: aws.Bool(true), Key: l.lockItem()})
	if err != nil {
		return "", fmt.Errorf("read the state lock of %s in dynamodb:%s: %w", l.Key, l.LockTable, err)
	}
	if v, ok := out.Item["Info"].(*ddbtypes.AttributeValueMemberS); ok {
		return v.Value, nil
	}
	return "", nil
}

// fileLock is the content of the .tflock object, "" without one.
func (c *Client) fileLock(ctx context.Context, l Location) (string, error) {
	out, err := c.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(l.Bucket), Key: aws.String(l.LockKey()), ExpectedBucketOwner: owner(l)})
	switch {
	case awserr.Is(err, "NoSuchKey", "NotFound"):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("read the state lock file s3://%s/%s: %w", l.Bucket, l.LockKey(), err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(io.LimitReader(out.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("read the state lock file s3://%s/%s: %w", l.Bucket, l.LockKey(), err)
	}
	return string(b), nil
}
