# The orders service: a team's real stacks (S3, DynamoDB, SSM, a partner
# API key) with pinned providers and committed lock files.
# `make demo-aws` rebuilds it against a local AWS emulator: it edits a copy
# of this file to pass the emulator's URL as the aws_endpoint input of every
# stack. Against real AWS, use it as it is.
project = "orders"
rto     = "1h"

terraform {
  version = "1.11.4"
}

target {
  account_id = "123456789012"
  region     = "eu-west-2"
}

state {
  bucket     = "orders-tfstate-123456789012-eu-west-2"
  lock_table = "orders-tflock"
  # The emulator cannot evaluate the deny-plain-HTTP policy condition; keep
  # this true (the default) against real AWS.
  deny_insecure_transport = false
}

registry "api" {
  name         = "orders-api"
  scan_on_push = true
  immutable    = true
  keep_last    = 20
}

stack "shared" {
  source = "stacks/shared"
  inputs = {
    region = "eu-west-2"
  }
  # What `tfrebuild plan` hands downstream before shared exists.
  mock_outputs = {
    uploads_bucket   = "orders-uploads-123456789012-eu-west-2"
    orders_table     = "orders-orders"
    orders_table_arn = "arn:aws:dynamodb:eu-west-2:123456789012:table/orders-orders"
    api_key          = "mock-api-key"
  }
}

stack "blue" {
  source     = "stacks/env"
  depends_on = [stack.shared]
  inputs = {
    region         = "eu-west-2"
    colour         = "blue"
    uploads_bucket = stack.shared.outputs.uploads_bucket
    orders_table   = stack.shared.outputs.orders_table
  }
  mock_outputs = {
    url              = "https://blue.orders.internal"
    config_parameter = "/orders/blue/config"
  }
}

stack "green" {
  source     = "stacks/env"
  depends_on = [stack.shared]
  optional   = true # part of the rebuild with --with green
  inputs = {
    region         = "eu-west-2"
    colour         = "green"
    uploads_bucket = stack.shared.outputs.uploads_bucket
    orders_table   = stack.shared.outputs.orders_table
  }
  mock_outputs = {
    url              = "https://green.orders.internal"
    config_parameter = "/orders/green/config"
  }
}

stack "link" {
  source = "stacks/link"
  inputs = {
    region    = "eu-west-2"
    blue_url  = stack.blue.outputs.url
    green_url = stack.green.outputs.url
    api_key   = stack.shared.outputs.api_key
  }
}
