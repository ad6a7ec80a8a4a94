package e2e

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// A region is lost: the example is rebuilt from nothing into a second
// region while the first region's build is still there.
func TestAWSNewRegion(t *testing.T) {
	t.Parallel()
	m, mirror := ordersMoto(t)
	first := newOrders(t, m, mirror, "eu-west-2")
	first.apply()
	firstVersions := first.versions()

	second := newOrders(t, m, mirror, "us-west-2")
	second.apply()

	ctx := context.Background()
	o := second
	// The bootstrap: state bucket, lock table and registry, in the new region.
	for _, b := range []string{"orders-tfstate-" + ordersAccount + "-us-west-2", o.uploadsBucket()} {
		loc, err := o.s3().GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String(b)})
		if err != nil || loc.LocationConstraint != s3types.BucketLocationConstraint("us-west-2") {
			t.Errorf("bucket %s: location %v, %v; want us-west-2", b, loc, err)
		}
	}
	if _, err := o.dynamodb().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("orders-tflock")}); err != nil {
		t.Errorf("lock table in us-west-2: %v", err)
	}
	if _, err := ecr.NewFromConfig(o.awsConfig()).DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"orders-api"}}); err != nil {
		t.Errorf("registry orders-api in us-west-2: %v", err)
	}

	// shared: the uploads bucket with versioning and its tags, the orders
	// table with point-in-time recovery.
	v, err := o.s3().GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(o.uploadsBucket())})
	if err != nil || v.Status != s3types.BucketVersioningStatusEnabled {
		t.Errorf("uploads bucket versioning: %v, %v; want Enabled", v, err)
	}
	if tags := o.bucketTags(); tags["Project"] != "orders" || tags["Stack"] != "shared" || tags["DataClass"] != "customer-uploads" {
		t.Errorf("uploads bucket tags = %v", tags)
	}
	o.wantTable()

	// Every parameter of every stack, and the outputs that flowed into them:
	// shared → blue/green → link, the sensitive key included.
	o.versions()
	for _, colour := range []string{"blue", "green"} {
		val, _, _ := o.param("/orders/" + colour + "/config")
		var cfg struct {
			Colour        string `json:"colour"`
			UploadsBucket string `json:"uploads_bucket"`
			OrdersTable   string `json:"orders_table"`
		}
		if err := json.Unmarshal([]byte(val), &cfg); err != nil {
			t.Fatalf("/orders/%s/config = %q: %v", colour, val, err)
		}
		if cfg.Colour != colour || cfg.UploadsBucket != o.uploadsBucket() || cfg.OrdersTable != "orders-orders" {
			t.Errorf("/orders/%s/config = %q: want the shared stack's bucket and table in us-west-2", colour, val)
		}
	}
	routes, _, _ := o.param("/orders/link/routes")
	if routes != `{"active":"https://blue.orders.internal","standby":"https://green.orders.internal"}` {
		t.Errorf("/orders/link/routes = %q: want blue's and green's urls", routes)
	}
	key, _, _ := o.param("/orders/shared/partner-api-key")
	handed, _, _ := o.param("/orders/link/partner-api-key")
	if len(key) != 40 || handed != key {
		t.Errorf("link's partner key is not shared's (lengths %d and %d)", len(handed), len(key))
	}

	// blue and green ran at the same time.
	st := o.status()
	blue, green := st["stack.blue"], st["stack.green"]
	if blue.Status != "done" || green.Status != "done" || blue.StartedAt == nil || green.StartedAt == nil ||
		blue.FinishedAt == nil || green.FinishedAt == nil {
		t.Fatalf("status: blue %+v, green %+v; want both done with times", blue, green)
	}
	if !blue.StartedAt.Before(*green.FinishedAt) || !green.StartedAt.Before(*blue.FinishedAt) {
		t.Errorf("blue ran %s–%s and green %s–%s: want them to overlap", blue.StartedAt, blue.FinishedAt, green.StartedAt, green.FinishedAt)
	}

	// The first region is as it was: nothing in it was written again.
	first.wantTable()
	for name, ver := range first.versions() {
		if ver != firstVersions[name] {
			t.Errorf("eu-west-2 %s: version %d, was %d: the second region's rebuild wrote to the first", name, ver, firstVersions[name])
		}
	}
}

func (o *orders) bucketTags() map[string]string {
	o.t.Helper()
	out, err := o.s3().GetBucketTagging(context.Background(), &s3.GetBucketTaggingInput{Bucket: aws.String(o.uploadsBucket())})
	if err != nil {
		o.t.Fatalf("tags of %s: %v", o.uploadsBucket(), err)
	}
	tags := map[string]string{}
	for _, tg := range out.TagSet {
		tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	return tags
}

// wantTable checks the orders table is there with point-in-time recovery.
func (o *orders) wantTable() {
	o.t.Helper()
	ctx := context.Background()
	if _, err := o.dynamodb().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("orders-orders")}); err != nil {
		o.t.Errorf("orders table in %s: %v", o.region, err)
		return
	}
	b, err := o.dynamodb().DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: aws.String("orders-orders")})
	if err != nil || b.ContinuousBackupsDescription.PointInTimeRecoveryDescription == nil ||
		b.ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus != ddbtypes.PointInTimeRecoveryStatusEnabled {
		o.t.Errorf("orders table in %s: point-in-time recovery not enabled (%v)", o.region, err)
	}
}
