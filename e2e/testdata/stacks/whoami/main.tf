# Says which account and region its provider acts in, and leaves a
# parameter there: the real AWS provider (from the offline mirror) with
# only what Terraform's environment gives it (credentials, region).
terraform {
  backend "s3" {}
  required_providers {
    aws = { source = "hashicorp/aws", version = "1.60.0" }
  }
}

variable "aws_endpoint" {
  type = string
}

variable "name" {
  type = string
}

provider "aws" {
  skip_get_ec2_platforms      = true
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true

  endpoints {
    ssm = var.aws_endpoint
    sts = var.aws_endpoint
    iam = var.aws_endpoint
  }
}

data "aws_caller_identity" "me" {}

data "aws_region" "here" {}

resource "aws_ssm_parameter" "marker" {
  name  = var.name
  type  = "String"
  value = data.aws_caller_identity.me.account_id
}

output "account_id" {
  value = data.aws_caller_identity.me.account_id
}

output "region" {
  value = data.aws_region.here.name
}
