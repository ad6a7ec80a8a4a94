package lease

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/internal/awserr"
)

// S3 keeps the lease as an object in the state bucket, for states that
// lock with lock files and have no lock table. It is created with
// If-None-Match: * and replaced or deleted with If-Match on the ETag
// read: S3's conditional writes (moto 5.2.1 enforces both). Every call
// names the bucket's expected owner.
type S3 struct {
	Client  *s3.Client
	Bucket  string
	Key     string
	Account string // the bucket's expected owner
}

var _ Store = (*S3)(nil)

func (o *S3) Where() string { return "s3://" + o.Bucket + "/" + o.Key }

func (o *S3) Read(ctx context.Context) (*checkpoint.Holder, string, error) {
	out, err := o.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(o.Bucket), Key: aws.String(o.Key), ExpectedBucketOwner: aws.String(o.Account)})
	if awserr.Is(err, "NoSuchKey", "NotFound") {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	defer out.Body.Close()
	b, err := io.ReadAll(io.LimitReader(out.Body, 1<<16))
	if err != nil {
		return nil, "", err
	}
	h := &checkpoint.Holder{}
	if json.Unmarshal(b, h) != nil {
		return nil, "", fmt.Errorf("the object %s is not a run lease; delete it if nothing runs", o.Where())
	}
	return h, aws.ToString(out.ETag), nil
}

func (o *S3) Put(ctx context.Context, h checkpoint.Holder, version string) (string, error) {
	body, err := json.Marshal(h)
	if err != nil {
		return "", err
	}
	in := &s3.PutObjectInput{Bucket: aws.String(o.Bucket), Key: aws.String(o.Key), Body: bytes.NewReader(body),
		ContentType: aws.String("application/json"), ExpectedBucketOwner: aws.String(o.Account)}
	if version == "" {
		in.IfNoneMatch = aws.String("*")
	} else {
		in.IfMatch = aws.String(version)
	}
	out, err := o.Client.PutObject(ctx, in)
	if err != nil {
		return "", conflict(err)
	}
	return aws.ToString(out.ETag), nil
}

func (o *S3) Delete(ctx context.Context, version string) error {
	_, err := o.Client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(o.Bucket), Key: aws.String(o.Key),
		IfMatch: aws.String(version), ExpectedBucketOwner: aws.String(o.Account)})
	if awserr.Is(err, "NoSuchBucket", "NoSuchKey", "NotFound") {
		return nil // the bucket is gone, and the lease with it
	}
	return conflict(err)
}
