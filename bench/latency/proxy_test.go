package latency

import (
	"context"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// proxied starts a proxy in front of the package's moto_server with no
// delays and a clock the test moves, and a DynamoDB client through it.
func proxied(t *testing.T) (*Proxy, *testenv.Clock, *dynamodb.Client) {
	t.Helper()
	m := testenv.SharedMoto(t)
	p, err := Handler(m.URL, Config{NewTable: time.Hour, Restore: 2 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	c := testenv.NewClock(time.Now())
	p.now = c.Now
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	cfg := aws.Config{Region: "eu-west-2", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", "")}
	return p, c, dynamodb.NewFromConfig(cfg)
}

func status(t *testing.T, db *dynamodb.Client, table string) (ddbtypes.TableStatus, bool) {
	t.Helper()
	out, err := db.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatalf("DescribeTable %s through the proxy: %v", table, err)
	}
	restoring := out.Table.RestoreSummary != nil && aws.ToBool(out.Table.RestoreSummary.RestoreInProgress)
	return out.Table.TableStatus, restoring
}

func makeTable(t *testing.T, db *dynamodb.Client, name string) {
	t.Helper()
	_, err := db.CreateTable(context.Background(), &dynamodb.CreateTableInput{TableName: aws.String(name), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: ddbtypes.KeyTypeHash}}})
	if err != nil {
		t.Fatal(err)
	}
}

// A new table is CREATING, through the real SDK (which checks the body's
// CRC32), until its time has passed; moto itself says ACTIVE at once.
func TestNewTableCreatingUntilItsTime(t *testing.T) {
	t.Parallel()
	p, c, db := proxied(t)
	makeTable(t, db, "latency-new")
	if st, _ := status(t, db, "latency-new"); st != ddbtypes.TableStatusCreating {
		t.Fatalf("status right after CreateTable = %s, want CREATING", st)
	}
	c.Add(59 * time.Minute)
	if st, _ := status(t, db, "latency-new"); st != ddbtypes.TableStatusCreating {
		t.Fatalf("status before its time = %s, want CREATING", st)
	}
	c.Add(2 * time.Minute)
	if st, _ := status(t, db, "latency-new"); st != ddbtypes.TableStatusActive {
		t.Fatalf("status after its time = %s, want ACTIVE", st)
	}
	if s := p.Stats(); len(s) == 0 {
		t.Fatal("no calls counted")
	}
}

// A table restored from a backup stays CREATING with its restore in
// progress for the restore's time; other tables are not touched.
func TestRestoreInProgressUntilItsTime(t *testing.T) {
	t.Parallel()
	_, c, db := proxied(t)
	ctx := context.Background()
	makeTable(t, db, "latency-src")
	c.Add(time.Hour + time.Minute)
	b, err := db.CreateBackup(ctx, &dynamodb.CreateBackupInput{TableName: aws.String("latency-src"), BackupName: aws.String("b")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.RestoreTableFromBackup(ctx, &dynamodb.RestoreTableFromBackupInput{BackupArn: b.BackupDetails.BackupArn, TargetTableName: aws.String("latency-restored")}); err != nil {
		t.Fatal(err)
	}
	if st, restoring := status(t, db, "latency-restored"); st != ddbtypes.TableStatusCreating || !restoring {
		t.Fatalf("restored table = %s, restore in progress %v; want CREATING, true", st, restoring)
	}
	if st, _ := status(t, db, "latency-src"); st != ddbtypes.TableStatusActive {
		t.Fatalf("the source table = %s, want ACTIVE", st)
	}
	c.Add(time.Hour + time.Minute)
	if st, _ := status(t, db, "latency-restored"); st != ddbtypes.TableStatusCreating {
		t.Fatalf("restored table after a new table's time = %s, want still CREATING", st)
	}
	c.Add(time.Hour)
	if st, restoring := status(t, db, "latency-restored"); st != ddbtypes.TableStatusActive || restoring {
		t.Fatalf("restored table after its time = %s, restore in progress %v; want ACTIVE, false", st, restoring)
	}
}
