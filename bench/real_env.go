package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// The realistic environment is examples/runbook-aws's stacks (shared:
// the orders table, the uploads bucket, the partner API key; blue and
// green: a parameter each; link: two parameters) with the real aws
// provider, a registry, a DynamoDB restore from a backup into shared's
// table and an S3 restore from a replica bucket into shared's bucket.
// Every name carries the side's project, so that each side of each
// repetition has resources of its own in one emulator.

const (
	realAccount = "123456789012"
	realRegion  = "eu-west-2"
)

func uploadsBucket(project string) string {
	return project + "-uploads-" + realAccount + "-" + realRegion
}

// realConfig is the environment as a rebuild.hcl; stacks is the folder
// holding shared/, env/ and link/, endpoint the proxy's URL.
func realConfig(project, stacks, endpoint string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `project = %[1]q
rto     = "1h"
rpo     = "24h"
terraform {
  version = "1.11.4"
}
target {
  account_id = %[2]q
  region     = %[3]q
}
state {
  bucket                  = "%[1]s-tfstate"
  lock_table              = "%[1]s-lock"
  deny_insecure_transport = false
}
registry "api" {
  name = "%[1]s-api"
}
`, project, realAccount, realRegion)
	common := fmt.Sprintf("    region       = target.region\n    aws_endpoint = %q\n    project      = %q\n", endpoint, project)
	image := fmt.Sprintf("%s.dkr.ecr.%s.amazonaws.com/%s-api:stable", realAccount, realRegion, project)
	fmt.Fprintf(&b, "stack \"shared\" {\n  source = %q\n  inputs = {\n%s    account_id   = target.account_id\n  }\n}\n", filepath.Join(stacks, "shared"), common)
	for _, c := range []string{"blue", "green"} {
		fmt.Fprintf(&b, "stack %q {\n  source = %q\n  inputs = {\n%s    colour         = %q\n    image          = %q\n"+
			"    orders_table   = stack.shared.outputs.orders_table\n    uploads_bucket = stack.shared.outputs.uploads_bucket\n  }\n}\n",
			c, filepath.Join(stacks, "env"), common, c, image)
	}
	fmt.Fprintf(&b, "stack \"link\" {\n  source = %q\n  inputs = {\n%s    blue_url  = stack.blue.outputs.url\n    green_url = stack.green.outputs.url\n"+
		"    api_key   = stack.shared.outputs.api_key\n  }\n}\n", filepath.Join(stacks, "link"), common)
	fmt.Fprintf(&b, `restore "orders" {
  dynamodb_table = "%[1]s-orders"
  from           = "backup"
  stack          = stack.shared
  address        = "aws_dynamodb_table.orders"
}
restore "uploads" {
  s3_bucket     = %[2]q
  from          = "bucket"
  source_bucket = "%[1]s-uploads-replica"
  stack         = stack.shared
  address       = "aws_s3_bucket.uploads"
}
`, project, uploadsBucket(project))
	return b.String()
}

// clients are SDK clients against one endpoint (moto for seeding, the
// proxy for anything timed).
type clients struct {
	ddb *dynamodb.Client
	s3  *s3.Client
	ssm *ssm.Client
	cfg aws.Config
}

func newClients(endpoint string) clients {
	cfg := aws.Config{Region: realRegion, BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", "")}
	return clients{ddb: dynamodb.NewFromConfig(cfg), s3: s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }),
		ssm: ssm.NewFromConfig(cfg), cfg: cfg}
}

// seed makes what the lost environment left behind, untimed and straight
// against moto: a backup of the orders table (the table itself gone) and
// the replica bucket of the uploads.
func seed(ctx context.Context, c clients, project string, items, objects int) error {
	table := project + "-orders"
	_, err := c.ddb.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(table), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("order_id"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("order_id"), KeyType: ddbtypes.KeyTypeHash}}})
	if err != nil {
		return fmt.Errorf("seed table %s: %w", table, err)
	}
	for i := range items {
		if _, err := c.ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table),
			Item: map[string]ddbtypes.AttributeValue{"order_id": &ddbtypes.AttributeValueMemberS{Value: fmt.Sprintf("o%03d", i)}}}); err != nil {
			return fmt.Errorf("seed table %s: %w", table, err)
		}
	}
	if _, err := c.ddb.CreateBackup(ctx, &dynamodb.CreateBackupInput{TableName: aws.String(table), BackupName: aws.String("nightly")}); err != nil {
		return fmt.Errorf("seed backup of %s: %w", table, err)
	}
	if _, err := c.ddb.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(table)}); err != nil {
		return fmt.Errorf("seed: lose %s: %w", table, err)
	}
	replica := project + "-uploads-replica"
	if _, err := c.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(replica),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(realRegion)}}); err != nil {
		return fmt.Errorf("seed bucket %s: %w", replica, err)
	}
	for i := range objects {
		if _, err := c.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(replica), Key: aws.String(fmt.Sprintf("uploads/%03d.txt", i)),
			Body: bytes.NewReader([]byte(fmt.Sprintf("upload %d\n", i)))}); err != nil {
			return fmt.Errorf("seed object in %s: %w", replica, err)
		}
	}
	return nil
}

// copyStacks copies runbook-aws's stacks (with their lock files) to dst,
// so that nothing the benchmark runs writes into the repository.
func copyStacks(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			if d.Name() == ".terraform" || d.Name() == ".tfrebuild" {
				return filepath.SkipDir
			}
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}
