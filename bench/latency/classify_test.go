package latency

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func sig(service string) string {
	return "AWS4-HMAC-SHA256 Credential=testing/20261206/eu-west-2/" + service + "/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc"
}

func TestClassify(t *testing.T) {
	t.Parallel()
	cases := []struct {
		method, target, service, xtarget, body, ctype, copySrc string
		want                                                   Op
	}{
		{method: "PUT", target: "/b1", service: "s3", want: Op{Service: "s3", Name: "CreateBucket"}},
		{method: "PUT", target: "/b1?versioning", service: "s3", want: Op{Service: "s3", Name: "PutBucketVersioning"}},
		{method: "PUT", target: "/b1?publicAccessBlock", service: "s3", want: Op{Service: "s3", Name: "PutBucketPublicAccessBlock"}},
		{method: "HEAD", target: "/b1", service: "s3", want: Op{Service: "s3", Name: "HeadBucket"}},
		{method: "GET", target: "/b1?versions&prefix=x", service: "s3", want: Op{Service: "s3", Name: "ListObjectVersions"}},
		{method: "GET", target: "/b1?list-type=2", service: "s3", want: Op{Service: "s3", Name: "ListObjects"}},
		{method: "GET", target: "/", service: "s3", want: Op{Service: "s3", Name: "ListBuckets"}},
		{method: "PUT", target: "/b1/k/ey", service: "s3", want: Op{Service: "s3", Name: "PutObject"}},
		{method: "PUT", target: "/b1/k", service: "s3", copySrc: "/src/k", want: Op{Service: "s3", Name: "CopyObject"}},
		{method: "GET", target: "/b1/env/shared.tfstate", service: "s3", want: Op{Service: "s3", Name: "GetObject"}},
		{method: "POST", target: "/", service: "dynamodb", xtarget: "DynamoDB_20120810.DescribeTable", body: `{"TableName":"t1"}`,
			want: Op{Service: "dynamodb", Name: "DescribeTable", Table: "t1"}},
		{method: "POST", target: "/", service: "dynamodb", xtarget: "DynamoDB_20120810.RestoreTableFromBackup", body: `{"TargetTableName":"t2","BackupArn":"arn"}`,
			want: Op{Service: "dynamodb", Name: "RestoreTableFromBackup", Table: "t2"}},
		{method: "POST", target: "/", service: "ssm", xtarget: "AmazonSSM.GetParameter", body: `{"Name":"/x"}`, want: Op{Service: "ssm", Name: "GetParameter"}},
		{method: "POST", target: "/", service: "ecr", xtarget: "AmazonEC2ContainerRegistry_V20150921.CreateRepository", want: Op{Service: "ecr", Name: "CreateRepository"}},
		{method: "POST", target: "/", xtarget: "DynamoDB_20120810.ListTables", body: `{}`, want: Op{Service: "dynamodb", Name: "ListTables"}},
		{method: "POST", target: "/", service: "sts", body: "Action=GetCallerIdentity&Version=2011-06-15", ctype: "application/x-www-form-urlencoded; charset=utf-8",
			want: Op{Service: "sts", Name: "GetCallerIdentity"}},
	}
	for _, c := range cases {
		r := httptest.NewRequest(c.method, c.target, strings.NewReader(c.body))
		if c.service != "" {
			r.Header.Set("Authorization", sig(c.service))
		}
		if c.xtarget != "" {
			r.Header.Set("X-Amz-Target", c.xtarget)
		}
		if c.ctype != "" {
			r.Header.Set("Content-Type", c.ctype)
		}
		if c.copySrc != "" {
			r.Header.Set("X-Amz-Copy-Source", c.copySrc)
		}
		if got := Classify(r, []byte(c.body)); got != c.want {
			t.Errorf("%s %s (%s %s) = %+v, want %+v", c.method, c.target, c.service, c.xtarget, got, c.want)
		}
	}
}

func TestDelay(t *testing.T) {
	t.Parallel()
	c := Defaults()
	if d := c.Delay(Op{Service: "s3", Name: "CreateBucket"}); d != time.Second {
		t.Errorf("CreateBucket delay %s, want the configured 1s", d)
	}
	for _, op := range []Op{{Service: "s3", Name: "PutObject"}, {Service: "dynamodb", Name: "DescribeTable"}, {Service: "ssm", Name: "GetParameter"}} {
		d := c.Delay(op)
		if d < c.Min || d > c.Max || d != c.Delay(op) {
			t.Errorf("%s delay %s, want a fixed value in [%s, %s]", op.Key(), d, c.Min, c.Max)
		}
	}
}

func TestParseDelays(t *testing.T) {
	t.Parallel()
	got, err := ParseDelays("s3.CreateBucket=2s, ssm.GetParameter=50ms")
	if err != nil || got["s3.CreateBucket"] != 2*time.Second || got["ssm.GetParameter"] != 50*time.Millisecond {
		t.Fatalf("ParseDelays = %v, %v", got, err)
	}
	if _, err := ParseDelays("CreateBucket=1s"); err == nil {
		t.Fatal("a key without a service was accepted")
	}
	if _, err := ParseDelays("s3.CreateBucket=soon"); err == nil {
		t.Fatal("a bad duration was accepted")
	}
}

func TestHandlerRefusesNonLoopback(t *testing.T) {
	t.Parallel()
	if _, err := Handler("http://example.com:5000", Defaults()); err == nil {
		t.Fatal("a non-loopback target was accepted")
	}
}
