package restore

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

const region = "eu-west-2"

// awsConfig is an SDK configuration against the package's moto_server.
func awsConfig(t *testing.T) aws.Config {
	t.Helper()
	m := testenv.SharedMoto(t)
	return aws.Config{Region: region, BaseEndpoint: aws.String(m.URL),
		Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", "")}
}

var seq atomic.Int64

// unique gives each test resources of its own on the shared emulator.
func unique(prefix string) string {
	return fmt.Sprintf("%s-%d-%d", prefix, os.Getpid(), seq.Add(1))
}

func ddb(t *testing.T) *dynamodb.Client { return dynamodbIn(t, region) }

func dynamodbIn(t *testing.T, region string) *dynamodb.Client {
	cfg := awsConfig(t)
	cfg.Region = region
	return dynamodb.NewFromConfig(cfg)
}

// createTable makes a table with n items and point-in-time recovery on.
func createTable(t *testing.T, db *dynamodb.Client, name string, n int) {
	t.Helper()
	ctx := context.Background()
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: aws.String(name),
		PointInTimeRecoverySpecification: &ddbtypes.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	putItems(t, db, name, 0, n)
}

func putItems(t *testing.T, db *dynamodb.Client, table string, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		_, err := db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]ddbtypes.AttributeValue{
			"pk": &ddbtypes.AttributeValueMemberS{Value: strconv.Itoa(i)}, "v": &ddbtypes.AttributeValueMemberS{Value: "item " + strconv.Itoa(i)}}})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// items reads a table's items as pk → v.
func items(t *testing.T, db *dynamodb.Client, table string) map[string]string {
	t.Helper()
	out := map[string]string{}
	p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: aws.String(table)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			out[it["pk"].(*ddbtypes.AttributeValueMemberS).Value] = it["v"].(*ddbtypes.AttributeValueMemberS).Value
		}
	}
	return out
}

func backup(t *testing.T, db *dynamodb.Client, table string) *ddbtypes.BackupDetails {
	t.Helper()
	out, err := db.CreateBackup(context.Background(), &dynamodb.CreateBackupInput{TableName: aws.String(table), BackupName: aws.String(table + "-bk")})
	if err != nil {
		t.Fatal(err)
	}
	return out.BackupDetails
}

func deleteTable(t *testing.T, db *dynamodb.Client, table string) {
	t.Helper()
	if _, err := db.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(table)}); err != nil {
		t.Fatal(err)
	}
}

func describe(table string) *dynamodb.DescribeTableInput {
	return &dynamodb.DescribeTableInput{TableName: aws.String(table)}
}
