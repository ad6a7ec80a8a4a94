# The provider is pinned to what the team has qualified (aws 1.60.0, from
# 2019). aws_endpoint is empty against real AWS; against an emulator it is
# the emulator's URL, given as a stack input (that provider reads no
# AWS_ENDPOINT_URL).
provider "aws" {
  region = var.region

  skip_get_ec2_platforms      = true
  skip_credentials_validation = var.aws_endpoint != ""
  skip_requesting_account_id  = var.aws_endpoint != ""
  skip_metadata_api_check     = var.aws_endpoint != ""
  skip_region_validation      = var.aws_endpoint != ""
  s3_force_path_style         = var.aws_endpoint != ""

  endpoints {
    s3       = var.aws_endpoint
    dynamodb = var.aws_endpoint
    ssm      = var.aws_endpoint
    sts      = var.aws_endpoint
    iam      = var.aws_endpoint
  }
}

variable "region" {
  type = string
}

variable "aws_endpoint" {
  description = "Empty for real AWS; an emulator's URL in tests and the demo."
  type        = string
  default     = ""
}

variable "project" {
  type    = string
  default = "orders"
}
