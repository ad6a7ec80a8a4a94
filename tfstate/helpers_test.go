package tfstate

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

const region = "eu-west-2"

// bed is one test's state bucket and lock table in moto, reached as the
// account owner (the default account, or one reached by assume-role).
type bed struct {
	t      *testing.T
	client *Client
	loc    Location
}

// awsConfig is the test credentials against moto; with a role ARN, the
// credentials of that role (in moto, they act as the role's account).
func awsConfig(t *testing.T, m *testenv.Moto, role string) aws.Config {
	t.Helper()
	cfg := aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", ""), BaseEndpoint: aws.String(m.URL)}
	if role == "" {
		return cfg
	}
	out, err := sts.NewFromConfig(cfg).AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("tfstate")})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	cfg.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	return cfg
}

func clientFor(cfg aws.Config) *Client {
	return &Client{S3: s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }), DDB: dynamodb.NewFromConfig(cfg)}
}

// newBed makes a bucket (versioned or not) and a lock table named after
// the test, owned by the account role leads to ("" for the default).
func newBed(t *testing.T, owner, role string, versioned bool) *bed {
	t.Helper()
	ctx := context.Background()
	c := clientFor(awsConfig(t, testenv.SharedMoto(t), role))
	name := strings.ToLower(strings.NewReplacer("/", "-", "_", "-").Replace(t.Name()))
	if len(name) > 50 {
		name = name[:50]
	}
	b := &bed{t: t, client: c, loc: Location{Bucket: name, Key: "p/app/terraform.tfstate", Region: region, Owner: owner, LockTable: name + "-lock"}}
	if _, err := c.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}}); err != nil {
		t.Fatal(err)
	}
	if versioned {
		if _, err := c.S3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(name),
			VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DDB.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(b.loc.LockTable), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("LockID"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("LockID"), KeyType: ddbtypes.KeyTypeHash}}}); err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *bed) put(key, body string) string {
	b.t.Helper()
	out, err := b.client.S3.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(b.loc.Bucket), Key: aws.String(key), Body: strings.NewReader(body)})
	if err != nil {
		b.t.Fatal(err)
	}
	return aws.ToString(out.VersionId)
}

// lockItem writes Terraform's lock-table item for the state, as the S3
// backend does when it takes the lock.
func (b *bed) lockItem(info string) {
	b.t.Helper()
	_, err := b.client.DDB.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(b.loc.LockTable), Item: map[string]ddbtypes.AttributeValue{
		"LockID": &ddbtypes.AttributeValueMemberS{Value: b.loc.Bucket + "/" + b.loc.Key},
		"Info":   &ddbtypes.AttributeValueMemberS{Value: info},
	}})
	if err != nil {
		b.t.Fatal(err)
	}
}

const lockJSON = `{"ID":"%s","Operation":"OperationTypeApply","Info":"","Who":"ann@h1","Version":"1.11.4","Created":"2026-01-02T03:04:05Z","Path":"b/p/app/terraform.tfstate"}`

const stateJSON = `{"version":4,"terraform_version":"1.11.4","serial":%d,"lineage":"l","outputs":{
 "url":{"value":"https://app","type":"string"},
 "token":{"value":"s3cr3t","type":"string","sensitive":true}},"resources":[]}`
