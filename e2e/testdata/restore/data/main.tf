# A stack that owns a DynamoDB table and a versioned S3 bucket, with the
# real AWS provider (1.60.0, from the provider mirror) against moto: the
# restore tests bring their data back and adopt them here.
terraform {
  backend "s3" {}
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "1.60.0"
    }
  }
}

variable "region" {
  type = string
}

# The 2019 provider reads no AWS_ENDPOINT_URL: the emulator comes in here.
variable "aws_endpoint" {
  type = string
}

variable "table" {
  type = string
}

variable "bucket" {
  type = string
}

provider "aws" {
  region                      = var.region
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_get_ec2_platforms      = true
  skip_region_validation      = true
  s3_force_path_style         = true
  endpoints {
    s3       = var.aws_endpoint
    dynamodb = var.aws_endpoint
    sts      = var.aws_endpoint
  }
}

resource "aws_dynamodb_table" "orders" {
  name         = var.table
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"

  attribute {
    name = "id"
    type = "S"
  }
}

resource "aws_s3_bucket" "uploads" {
  bucket        = var.bucket
  force_destroy = true

  versioning {
    enabled = true
  }
}

output "table_arn" {
  value = aws_dynamodb_table.orders.arn
}
