package restore

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// emptyAnswers is moto behind a loopback proxy that answers the named
// DynamoDB operations "200 {}": a reply the SDK decodes without an error
// into an output whose optional parts are all nil (what a loaded emulator
// or a truncated reply gives). Every other call reaches moto.
func emptyAnswers(t *testing.T, ops ...string) aws.Config {
	t.Helper()
	cfg := awsConfig(t)
	moto, err := url.Parse(aws.ToString(cfg.BaseEndpoint))
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(moto)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, op := range ops {
			if strings.HasSuffix(r.Header.Get("X-Amz-Target"), "."+op) {
				w.Header().Set("Content-Type", "application/x-amz-json-1.0")
				_, _ = w.Write([]byte("{}"))
				return
			}
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	cfg.BaseEndpoint = aws.String(srv.URL)
	return cfg
}

func TestEmptyAnswersAreErrorsNotPanics(t *testing.T) {
	t.Parallel()
	db := ddb(t)
	src := unique("empty")
	createTable(t, db, src, 1)
	bk := backup(t, db, src)
	cases := []struct {
		op   string
		opts TableOptions
		want string
	}{
		{"DescribeContinuousBackups", TableOptions{Table: src + "-pitr", From: FromPointInTime, SourceTable: src}, "point-in-time recovery"},
		{"DescribeBackup", TableOptions{Table: src + "-bk", From: FromBackup, BackupARN: aws.ToString(bk.BackupArn)}, "backup"},
	}
	for _, c := range cases {
		t.Run(c.op, func(t *testing.T) {
			tables := NewTables(emptyAnswers(t, c.op), "")
			_, err := tables.Restore(context.Background(), c.opts)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "run again") {
				t.Fatalf("restore with an empty %s answer: %v, want an error about the %s that says to run again", c.op, err, c.want)
			}
			if _, err := db.DescribeTable(context.Background(), describe(c.opts.Table)); err == nil {
				t.Errorf("table %s was created from an answer that said nothing", c.opts.Table)
			}
		})
	}
}

func TestCrossRegionEmptyDescribeIsAnError(t *testing.T) {
	t.Parallel()
	db := dynamodbIn(t, "us-east-1")
	src := unique("emptyx")
	createTable(t, db, src, 1)
	tables := NewTables(awsConfig(t), "us-east-1")
	tables.Source = dynamodb.NewFromConfig(withRegion(emptyAnswers(t, "DescribeTable"), "us-east-1"))
	_, err := tables.resolve(context.Background(), TableOptions{Table: src, From: FromPointInTime, SourceTable: src})
	if err == nil || !strings.Contains(err.Error(), "run again") {
		t.Fatalf("cross-region point in time with an empty DescribeTable answer: %v, want an error that says to run again", err)
	}
}

func withRegion(cfg aws.Config, region string) aws.Config {
	cfg.Region = region
	return cfg
}
