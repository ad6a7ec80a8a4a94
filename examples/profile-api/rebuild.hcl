# The profile-api environment: the blue/green runbook as a rebuild.
# Every stack uses Terraform built-ins only, so `make demo` runs it against a
# local AWS emulator; replace the terraform_data resources with real ones.
project = "profile-api"
rto     = "2h"

terraform {
  version = "1.11.4"
}

target {
  account_id = "123456789012"
  region     = "eu-west-2"
}

state {
  bucket     = "profile-api-tfstate-123456789012-eu-west-2"
  lock_table = "profile-api-tflock"
  # The emulator cannot evaluate the deny-plain-HTTP policy condition; keep
  # this true (the default) against real AWS.
  deny_insecure_transport = false
}

registry "api" {
  name         = "profile-api"
  scan_on_push = true
  immutable    = true
  keep_last    = 30
}

registry "worker" {
  name = "profile-api-worker"
}

stack "shared" {
  source = "stacks/shared"
  inputs = {
    project = "profile-api"
  }
  # What `tfrebuild plan` hands downstream for outputs known only after apply.
  mock_outputs = {
    vpc_id          = "vpc-0123456789ab"
    partner_api_key = "mock-partner-key"
  }
}

stack "blue" {
  source     = "stacks/env"
  depends_on = [stack.shared]
  inputs = {
    colour = "blue"
    vpc_id = stack.shared.outputs.vpc_id
    api_key = stack.shared.outputs.partner_api_key
  }
}

stack "green" {
  source     = "stacks/env"
  depends_on = [stack.shared]
  optional   = true
  inputs = {
    colour  = "green"
    vpc_id  = stack.shared.outputs.vpc_id
    api_key = stack.shared.outputs.partner_api_key
  }
}

stack "link" {
  source = "stacks/link"
  inputs = {
    blue_url  = stack.blue.outputs.url
    green_url = stack.green.outputs.url
  }
}
