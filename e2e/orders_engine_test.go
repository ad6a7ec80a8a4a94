package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

// ordersOn is newOrders on the engine: on OpenTofu the copy's rebuild.hcl
// pins OpenTofu with the built binary's path (the committed lock files
// name registry.terraform.io; the engine's own host is compared without
// it).
func ordersOn(o *orders, e engine) *orders {
	o.t.Helper()
	if e.name != "opentofu" {
		return o
	}
	o.editConfig(`terraform {
  version = "1.11.4"
}`, fmt.Sprintf("terraform {\n  engine  = \"opentofu\"\n  version = %q\n  path    = %q\n}", tofuVersion, testenv.Tofu(o.t)))
	return o
}

// stateIn moves the copy's state (bucket and lock table) to account id,
// reached by assuming a role there, as `state { account = … }` does.
func (o *orders) stateIn(id string) {
	o.t.Helper()
	o.editConfig("state {\n", fmt.Sprintf(`account "state" {
  account_id = %q
  region     = %q
  role_arn   = "arn:aws:iam::%s:role/x"
}

state {
  account = account.state
`, id, o.region, id))
	o.stateAccount = id
}

// editConfig replaces old, which must be there, with new in the copy's
// rebuild.hcl.
func (o *orders) editConfig(old, new string) {
	o.t.Helper()
	cfg := filepath.Join(o.dir, "rebuild.hcl")
	src := readFile(o.t, cfg)
	if !strings.Contains(src, old) {
		o.t.Fatalf("%s has no %q", cfg, old)
	}
	writeFile(o.t, cfg, strings.Replace(src, old, new, 1))
}

// stateConfig is an SDK config acting as the account that holds the state.
func (o *orders) stateConfig() aws.Config {
	o.t.Helper()
	cfg := o.awsConfig()
	if o.stateAccount == "" {
		return cfg
	}
	return assumed(o.t, cfg, o.stateAccount)
}

// stateBucket is the copy's state bucket.
func (o *orders) stateBucket() string { return "orders-tfstate-" + ordersAccount + "-" + o.region }

// bucketIn reports whether the account cfg acts as owns bucket.
func bucketIn(t *testing.T, cfg aws.Config, bucket string) bool {
	t.Helper()
	out, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).ListBuckets(context.Background(), &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range out.Buckets {
		if aws.ToString(b.Name) == bucket {
			return true
		}
	}
	return false
}
