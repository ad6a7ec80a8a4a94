# The same environment as rebuild.hcl, rebuilt in eu-west-1 after the loss
# of eu-west-2: `target`, the state bucket's name and the uploads bucket
# (bucket names are global and carry the region) are all that differ.
#
#   tfrebuild apply --config examples/runbook-aws/rebuild-dr.hcl --with green

project = "runbook"
rto     = "1h"
rpo     = "15m"

terraform {
  version = "1.11.4"
}

# The region is written here once: every stack reads target.region.
target {
  account_id = "123456789012"
  region     = "eu-west-1" # eu-west-2 is lost
}

# The registries live in the management account; tfrebuild reaches it
# through this role and lets the target account pull from them.
account "mgmt" {
  account_id = "111111111111"
  region     = "eu-west-1"
  role_arn   = "arn:aws:iam::111111111111:role/rebuild"
}

state {
  bucket     = "runbook-tfstate-123456789012-eu-west-1"
  lock_table = "runbook-tflock"
  # The emulator cannot evaluate the deny-plain-HTTP policy condition; keep
  # this true (the default) against real AWS.
  deny_insecure_transport = false
}

registry "api" {
  account       = account.mgmt
  name          = "runbook-api"
  pull_accounts = ["123456789012"]
  scan_on_push  = true
  keep_last     = 20
}

stack "shared" {
  source = "stacks/shared"
  inputs = {
    region     = target.region
    account_id = target.account_id
  }
  mock_outputs = {
    orders_table      = "runbook-orders"
    uploads_bucket    = "runbook-uploads-123456789012-eu-west-1"
    api_key_parameter = "/runbook/shared/partner-api-key"
    api_key           = "mock-api-key"
  }
}

stack "blue" {
  source = "stacks/env"
  inputs = {
    region         = target.region
    colour         = "blue"
    image          = format("%s.dkr.ecr.%s.amazonaws.com/runbook-api:stable", account.mgmt.account_id, account.mgmt.region)
    orders_table   = stack.shared.outputs.orders_table
    uploads_bucket = stack.shared.outputs.uploads_bucket
  }
  mock_outputs = { url = "https://blue.runbook.internal" }
}

stack "green" {
  source   = "stacks/env"
  optional = true # part of the rebuild with --with green
  inputs = {
    region         = target.region
    colour         = "green"
    image          = format("%s.dkr.ecr.%s.amazonaws.com/runbook-api:stable", account.mgmt.account_id, account.mgmt.region)
    orders_table   = stack.shared.outputs.orders_table
    uploads_bucket = stack.shared.outputs.uploads_bucket
  }
  mock_outputs = { url = "https://green.runbook.internal" }
}

stack "link" {
  source = "stacks/link"
  inputs = {
    region    = target.region
    blue_url  = stack.blue.outputs.url
    green_url = stack.green.outputs.url
    api_key   = stack.shared.outputs.api_key
  }
}

# The orders as they were: the live table's history, to the latest
# restorable time, into the table shared manages (before shared runs, so
# that Terraform adopts it instead of creating an empty one). The live
# table is a global table: its replica in the other region is the source
# when this region is lost.
restore "orders" {
  dynamodb_table = "runbook-orders"
  from           = "point_in_time"
  source_table   = "runbook-orders-live"
  stack          = stack.shared
  address        = "aws_dynamodb_table.orders"
}

# The uploads, copied from the replica bucket in the other region (S3
# replication keeps it) into the bucket shared creates.
restore "uploads" {
  s3_bucket         = "runbook-uploads-123456789012-eu-west-1"
  from              = "bucket"
  source_bucket     = "runbook-uploads-replica-123456789012"
  source_region     = "eu-west-1"
  source_account_id = "123456789012"
  stack             = stack.shared
  address           = "aws_s3_bucket.uploads"
}

# The new partner API key goes to the partner team by a person: the
# rebuild waits here until someone runs the `tfrebuild confirm` it prints.
step "handoff" {
  instructions          = "Send the partner team the new API key (SSM parameter /runbook/link/partner-api-key, via the partner portal), then confirm."
  after                 = [stack.link]
  auto_confirm_in_drill = true
}
