package config

import (
	"testing"
	"time"
)

const dataStack = `stack "data" {
  source = "stacks/data"
}
`

func TestRestores(t *testing.T) {
	t.Parallel()
	cfg, diags := parseHere(t, "rpo = \"15m\"\n"+validHeader+dataStack+`restore "orders" {
  dynamodb_table = "orders"
  from           = "backup"
  stack          = stack.data
  address        = "aws_dynamodb_table.orders"
}
restore "orders-pitr" {
  dynamodb_table = "orders-copy"
  from           = "point_in_time"
  point_in_time  = "2026-11-25T07:00:00+01:00"
  source_table   = "orders"
  source_region  = "eu-west-1"
  stack          = stack.data
  address        = "module.db.aws_dynamodb_table.orders[0]"
}
restore "orders-arn" {
  dynamodb_table = "orders-arn"
  from           = "backup"
  backup_arn     = "arn:aws:dynamodb:eu-west-2:123456789012:table/orders-arn/backup/01489173575360-b308cd7d"
  stack          = stack.data
  address        = "aws_dynamodb_table.orders"
}
restore "uploads" {
  s3_bucket     = "orders-uploads"
  from          = "versions"
  point_in_time = "2026-11-25T06:00:00Z"
  keep_newer    = true
  stack         = stack.data
  address       = "aws_s3_bucket.uploads"
}
restore "replica" {
  s3_bucket     = "orders-uploads-2"
  from          = "bucket"
  source_bucket = "orders-uploads-replica"
  source_region = "us-east-1"
  source_account_id = "210987654321"
  stack         = stack.data
  address       = "aws_s3_bucket.uploads"
}
`)
	if diags.HasErrors() {
		t.Fatal(DiagnosticsError(diags))
	}
	if cfg.RPO != 15*time.Minute || len(cfg.Restores) != 5 {
		t.Fatalf("rpo = %s, %d restores", cfg.RPO, len(cfg.Restores))
	}
	o := cfg.Restore("orders")
	if o.Kind != RestoreDynamoDB || o.SourceTable != "orders" || !o.PointInTime.IsZero() || o.Stack != "data" || !o.BeforeStack() || o.Resource() != "orders" {
		t.Errorf("orders = %+v", o)
	}
	pitr := cfg.Restore("orders-pitr")
	if want := time.Date(2026, 11, 25, 6, 0, 0, 0, time.UTC); !pitr.PointInTime.Equal(want) || pitr.PointInTime.Location() != time.UTC || pitr.SourceTable != "orders" || pitr.SourceRegion != "eu-west-1" {
		t.Errorf("orders-pitr = %+v", pitr)
	}
	if u := cfg.Restore("uploads"); !u.KeepNewer || u.SourceAccountID != "" || o.KeepNewer {
		t.Errorf("uploads = %+v", u)
	}
	if r := cfg.Restore("replica"); r.Kind != RestoreS3 || r.SourceBucket != "orders-uploads-replica" || r.BeforeStack() || r.Resource() != "orders-uploads-2" || r.SourceAccountID != "210987654321" || r.KeepNewer {
		t.Errorf("replica = %+v", r)
	}
	if got := len(cfg.RestoresOf("data")); got != 5 {
		t.Errorf("RestoresOf(data) = %d", got)
	}
}

func TestRestoreErrors(t *testing.T) {
	t.Parallel()
	restore := func(body string) string {
		return validHeader + dataStack + "restore \"r\" {\n" + body + "  stack = stack.data\n}\n"
	}
	dyn := func(extra string) string {
		return restore("  dynamodb_table = \"orders\"\n  address = \"aws_dynamodb_table.orders\"\n" + extra)
	}
	s3 := func(extra string) string {
		return restore("  s3_bucket = \"orders-uploads\"\n  address = \"aws_s3_bucket.uploads\"\n" + extra)
	}
	// line 17 is "restore", 18 and 19 the target and address, 20 the first extra line.
	cases := []struct{ name, src, pos, want string }{
		{"both targets", restore("  dynamodb_table = \"orders\"\n  s3_bucket = \"b-b-b\"\n  from = \"backup\"\n  address = \"aws_dynamodb_table.orders\"\n"), "19:3", "sets both dynamodb_table and s3_bucket"},
		{"no target", restore("  from = \"backup\"\n  address = \"aws_dynamodb_table.orders\"\n"), "17:1", `needs dynamodb_table = "..." or s3_bucket`},
		{"missing from", dyn(""), "17:13", `"from" is required`},
		{"dynamo from versions", dyn("  from = \"versions\"\n"), "20:10", `for a dynamodb restore, from "versions" is not one of "backup" or "point_in_time"`},
		{"s3 from backup", s3("  from = \"backup\"\n"), "20:10", `is not one of "versions" or "bucket"`},
		{"from typo", dyn("  from = \"point-in-time\"\n"), "20:10", `Did you mean "point_in_time"?`},
		{"bad table", restore("  dynamodb_table = \"x!\"\n  from = \"backup\"\n  address = \"aws_dynamodb_table.orders\"\n"), "18:20", "table name"},
		{"bad bucket", restore("  s3_bucket = \"Bad\"\n  from = \"versions\"\n  point_in_time = \"2020-01-01T00:00:00Z\"\n  address = \"aws_s3_bucket.uploads\"\n"), "18:15", "lowercase"},
		{"bad backup arn", dyn("  from = \"backup\"\n  backup_arn = \"arn:aws:dynamodb:eu-west-2:123:table/orders\"\n"), "21:16", "not a DynamoDB backup ARN"},
		{"backup arn of another table", dyn("  from = \"backup\"\n  source_table = \"orders\"\n  backup_arn = \"arn:aws:dynamodb:eu-west-2:123456789012:table/other/backup/0148-b3\"\n"), "22:16", `a backup of table "other", but source_table is "orders"`},
		{"backup arn in another region", dyn("  from = \"backup\"\n  source_region = \"us-east-1\"\n  backup_arn = \"arn:aws:dynamodb:eu-west-2:123456789012:table/orders/backup/0148-b3\"\n"), "22:16", "in region eu-west-2, but source_region is us-east-1"},
		{"backup arn with pitr", dyn("  from = \"point_in_time\"\n  backup_arn = \"arn:aws:dynamodb:eu-west-2:123456789012:table/orders/backup/0148-b3\"\n"), "21:3", `backup_arn goes with dynamodb_table and from = "backup"`},
		{"point in time with backup", dyn("  from = \"backup\"\n  point_in_time = \"2020-01-01T00:00:00Z\"\n"), "21:3", `from = "backup" restores a backup as it was taken`},
		{"bad time", dyn("  from = \"point_in_time\"\n  point_in_time = \"2026-11-25 06:00\"\n"), "21:19", "not an RFC 3339 time"},
		{"future time", dyn("  from = \"point_in_time\"\n  point_in_time = \"2999-01-01T00:00:00Z\"\n"), "21:19", "is in the future"},
		{"source table on s3", s3("  from = \"versions\"\n  point_in_time = \"2020-01-01T00:00:00Z\"\n  source_table = \"t-t\"\n"), "22:3", "source_table goes with dynamodb_table"},
		{"source bucket on dynamo", dyn("  from = \"backup\"\n  source_bucket = \"b-b-b\"\n"), "21:3", "source_bucket goes with s3_bucket"},
		{"source bucket with versions", s3("  from = \"versions\"\n  point_in_time = \"2020-01-01T00:00:00Z\"\n  source_bucket = \"b-b-b\"\n"), "22:3", `from = "versions" restores the bucket from its own history`},
		{"versions needs a time", s3("  from = \"versions\"\n"), "17:1", `needs the time to go back to`},
		{"bucket needs a source", s3("  from = \"bucket\"\n"), "17:1", "name it with source_bucket"},
		{"source is the target", s3("  from = \"bucket\"\n  source_bucket = \"orders-uploads\"\n"), "21:19", "source_bucket is s3_bucket itself"},
		{"source region with versions", s3("  from = \"versions\"\n  point_in_time = \"2020-01-01T00:00:00Z\"\n  source_region = \"us-east-1\"\n"), "22:3", "restores the bucket in place"},
		{"source account with versions", s3("  from = \"versions\"\n  point_in_time = \"2020-01-01T00:00:00Z\"\n  source_account_id = \"210987654321\"\n"), "22:3", `source_account_id is the owner of source_bucket`},
		{"source account on dynamo", dyn("  from = \"backup\"\n  source_account_id = \"210987654321\"\n"), "21:3", `goes with s3_bucket and from = "bucket"`},
		{"bad source account", s3("  from = \"bucket\"\n  source_bucket = \"b-b-b\"\n  source_account_id = \"12\"\n"), "22:23", "12 digits"},
		{"keep newer with bucket", s3("  from = \"bucket\"\n  source_bucket = \"b-b-b\"\n  keep_newer = true\n"), "22:3", `keep_newer goes with s3_bucket and from = "versions"`},
		{"keep newer not a bool", s3("  from = \"versions\"\n  point_in_time = \"2020-01-01T00:00:00Z\"\n  keep_newer = \"yes please\"\n"), "22:16", "bool"},
		{"bad source region", dyn("  from = \"backup\"\n  source_region = \"mars\"\n"), "21:19", "not an AWS region"},
		{"unknown stack", validHeader + dataStack + "restore \"r\" {\n  dynamodb_table = \"orders\"\n  from = \"backup\"\n  stack = stack.dta\n  address = \"aws_dynamodb_table.orders\"\n}\n", "20:11", `there is no stack "dta" in this config. Did you mean "data"?`},
		{"stack as a string", validHeader + dataStack + "restore \"r\" {\n  dynamodb_table = \"orders\"\n  from = \"backup\"\n  stack = \"data\"\n  address = \"aws_dynamodb_table.orders\"\n}\n", "20:11", "stack = stack.NAME (no quotes)"},
		{"missing address", restore("  dynamodb_table = \"orders\"\n  from = \"backup\"\n"), "17:13", `"address" is required`},
		{"bad address", restore("  dynamodb_table = \"orders\"\n  from = \"backup\"\n  address = \"aws_dynamodb_table\"\n"), "20:13", "not a resource address"},
		{"data source address", restore("  dynamodb_table = \"orders\"\n  from = \"backup\"\n  address = \"data.aws_dynamodb_table.orders\"\n"), "20:13", "is a data source"},
		{"wrong resource type", restore("  dynamodb_table = \"orders\"\n  from = \"backup\"\n  address = \"aws_s3_bucket.uploads\"\n"), "20:13", "a dynamodb restore is imported into a aws_dynamodb_table"},
		{"undeclared resource", restore("  dynamodb_table = \"orders\"\n  from = \"backup\"\n  address = \"aws_dynamodb_table.order\"\n"), "20:13", `declares no resource aws_dynamodb_table.order (it declares: aws_dynamodb_table.orders, aws_s3_bucket.uploads). Did you mean "aws_dynamodb_table.orders"?`},
		{"duplicate table", dyn("  from = \"backup\"\n") + "restore \"r2\" {\n  dynamodb_table = \"orders\"\n  from = \"point_in_time\"\n  stack = stack.data\n  address = \"aws_dynamodb_table.orders\"\n}\n", "23:1", `restore "r2" and restore "r" (testdata/rebuild.hcl:17:1) both bring back dynamodb "orders"`},
		{"rpo", "rpo = \"a bit\"\n" + validHeader, "1:7", "not a positive duration"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			wantError(t, tc.src, tc.pos, tc.want)
		})
	}
}

func TestRestoreAddressCheckSkipsModules(t *testing.T) {
	t.Parallel()
	_, diags := parseHere(t, validHeader+dataStack+"restore \"r\" {\n  dynamodb_table = \"orders\"\n  from = \"backup\"\n  stack = stack.data\n  address = \"module.x.aws_dynamodb_table.t[\\\"k\\\"]\"\n}\n")
	if diags.HasErrors() {
		t.Error(DiagnosticsError(diags))
	}
	for _, ok := range []string{"aws_s3_bucket.b[2]", `aws_s3_bucket.b["k"]`, "module.a[0].module.b.aws_s3_bucket.b", "aws_s3_bucket.with-dash"} {
		if err := validAddress(ok, RestoreS3); err != nil {
			t.Errorf("validAddress(%s): %v", ok, err)
		}
	}
	for _, bad := range []string{"aws_s3_bucket.b[x]", "module.aws_s3_bucket.b", "aws_s3_bucket.b.c", "aws_s3_bucket.1b", ""} {
		if validAddress(bad, RestoreS3) == nil {
			t.Errorf("validAddress(%q) accepted", bad)
		}
	}
}
