package tfstate

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tfrebuild/tfrebuild/internal/awserr"
	"github.com/tfrebuild/tfrebuild/terraform"
)

// Client reads and unlocks state objects with the session of the account
// the state lives in. Its S3 and DynamoDB clients must be that account's:
// NewClient's callers take them from its guarded session.
type Client struct {
	S3  *s3.Client
	DDB *dynamodb.Client
}

// Object is a state object's content and version.
type Object struct {
	Body []byte
	// Version names what was read: "version:ID" in a versioned bucket,
	// else "etag:…"; "" when there is no object.
	Version string
}

// MaxState bounds what a read holds in memory: a state this large is
// read by Terraform itself instead.
const MaxState = 64 << 20

// Read returns the state object and its version; a missing object is the
// zero Object and no error.
func (c *Client) Read(ctx context.Context, l Location) (Object, error) {
	out, err := c.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(l.Bucket), Key: aws.String(l.Key), ExpectedBucketOwner: owner(l)})
	if awserr.Is(err, "NoSuchKey", "NotFound") {
		return Object{}, nil
	}
	if err != nil {
		return Object{}, fmt.Errorf("read the state %s: %w", l, err)
	}
	defer out.Body.Close()
	return readBody(l, out.Body, aws.ToString(out.VersionId), aws.ToString(out.ETag))
}

func readBody(l Location, r io.Reader, versionID, etag string) (Object, error) {
	body, err := io.ReadAll(io.LimitReader(r, MaxState+1))
	if err != nil {
		return Object{}, fmt.Errorf("read the state %s: %w", l, err)
	}
	if len(body) > MaxState {
		return Object{}, fmt.Errorf("the state %s is over %d MiB", l, MaxState>>20)
	}
	return Object{Body: body, Version: VersionOf(versionID, etag)}, nil
}

// VersionOf names a version of an object: its VersionId in a versioned
// bucket, else its ETag.
func VersionOf(versionID, etag string) string {
	if versionID != "" && versionID != "null" {
		return "version:" + versionID
	}
	if etag != "" {
		return "etag:" + strings.Trim(etag, `"`)
	}
	return ""
}

// Exists reports whether the state object exists, without writing
// anything: false when the bucket or the object is missing.
func (c *Client) Exists(ctx context.Context, l Location) (bool, error) {
	_, err := c.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(l.Bucket), Key: aws.String(l.Key), ExpectedBucketOwner: owner(l)})
	switch {
	case err == nil:
		return true, nil
	case awserr.Is(err, "NotFound", "NoSuchKey", "NoSuchBucket", "404"):
		return false, nil
	}
	return false, fmt.Errorf("check for the state %s: %w", l, err)
}

// Outputs reads the outputs in the state object, sensitive ones marked;
// exists is false (and the outputs empty) when there is no object.
func (c *Client) Outputs(ctx context.Context, l Location) (outs terraform.Outputs, exists bool, err error) {
	obj, err := c.Read(ctx, l)
	if err != nil {
		return terraform.Outputs{}, false, err
	}
	outs, err = Outputs(obj.Body)
	if err != nil {
		return outs, obj.Version != "", fmt.Errorf("the outputs in the state %s: %w", l, err)
	}
	return outs, obj.Version != "", nil
}

// Outputs takes the outputs out of a state object's content (Terraform's
// and OpenTofu's JSON state, version 4), sensitive ones marked. An empty
// state has none.
func Outputs(body []byte) (terraform.Outputs, error) { return terraform.OutputsFromState(body) }

// owner is the bucket's expected owner, nil when the location names none.
func owner(l Location) *string {
	if l.Owner == "" {
		return nil
	}
	return aws.String(l.Owner)
}

// Holds reports whether a state object's content holds a resource
// instance at address (or, for an address without an index, any instance
// of it). An empty state holds nothing.
func Holds(body []byte, address string) (bool, error) { return terraform.StateHolds(body, address) }
