package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// The data examples/runbook-aws restores: the live orders table (point-in-
// time recovery on) in the region that is lost, with its global-table
// replica in the other region, and the versioned replica of the uploads
// bucket there. moto replicates nothing across regions, so the demo writes
// the replicas itself, with the same data.
const (
	lostRegion    = "eu-west-2"
	drRegion      = "eu-west-1"
	liveTable     = "runbook-orders-live"
	replicaBucket = "runbook-uploads-replica-123456789012"
)

var orders = []string{"order-1001", "order-1002", "order-1003"}

func awsConfig(url, region string) aws.Config {
	return aws.Config{
		Region:       region,
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
	}
}

// seed writes the source data; it fails on the first call the emulator
// refuses, naming it.
func seed(ctx context.Context, url string) error {
	for _, region := range []string{lostRegion, drRegion} {
		if err := seedTable(ctx, dynamodb.NewFromConfig(awsConfig(url, region)), region); err != nil {
			return fmt.Errorf("seed table %s in %s: %w", liveTable, region, err)
		}
	}
	if err := seedBucket(ctx, s3.NewFromConfig(awsConfig(url, drRegion), func(o *s3.Options) { o.UsePathStyle = true })); err != nil {
		return fmt.Errorf("seed bucket %s in %s: %w", replicaBucket, drRegion, err)
	}
	return nil
}

func seedTable(ctx context.Context, db *dynamodb.Client, region string) error {
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(liveTable),
		BillingMode:          ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("order_id"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("order_id"), KeyType: ddbtypes.KeyTypeHash}},
	})
	if err != nil {
		return err
	}
	if _, err := db.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{
		TableName:                        aws.String(liveTable),
		PointInTimeRecoverySpecification: &ddbtypes.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true)},
	}); err != nil {
		return err
	}
	for _, id := range orders {
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(liveTable), Item: map[string]ddbtypes.AttributeValue{
			"order_id": &ddbtypes.AttributeValueMemberS{Value: id},
			"region":   &ddbtypes.AttributeValueMemberS{Value: region},
		}}); err != nil {
			return err
		}
	}
	return nil
}

func seedBucket(ctx context.Context, c *s3.Client) error {
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{
		Bucket:                    aws.String(replicaBucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(drRegion)},
	}); err != nil {
		return err
	}
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
		Bucket:                  aws.String(replicaBucket),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled},
	}); err != nil {
		return err
	}
	for _, id := range orders {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String(replicaBucket), Key: aws.String("invoices/" + id + ".pdf"),
			Body: strings.NewReader("invoice " + id),
		}); err != nil {
			return err
		}
	}
	return nil
}
