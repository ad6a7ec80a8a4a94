# The restore stack (../data) with the settings a DynamoDB restore does not
# bring back: point-in-time recovery and tags. Its apply after the restore
# sets them again.
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

  point_in_time_recovery {
    enabled = true
  }

  tags = {
    DataClass = "orders"
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
