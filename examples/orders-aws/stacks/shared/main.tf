# Shared by both colours: the uploads bucket, the orders table, the
# partner API key and the parameters the services read at start-up.
terraform {
  required_version = ">= 1.5"
  backend "s3" {}
  required_providers {
    aws    = { source = "hashicorp/aws", version = "1.60.0" }
    random = { source = "hashicorp/random", version = "2.0.0" }
  }
}

data "aws_caller_identity" "current" {}

module "tags" {
  source  = "../../modules/tags"
  project = var.project
  stack   = "shared"
}

resource "aws_s3_bucket" "uploads" {
  # Bucket names are global: account and region keep a rebuilt region's
  # bucket from colliding with the old one's.
  bucket = "${var.project}-uploads-${data.aws_caller_identity.current.account_id}-${var.region}"
  acl    = "private"

  versioning {
    enabled = true
  }

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = "AES256"
      }
    }
  }

  tags = merge(module.tags.tags, { DataClass = "customer-uploads" })
}

resource "aws_dynamodb_table" "orders" {
  name         = "${var.project}-orders"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "order_id"

  attribute {
    name = "order_id"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  tags = module.tags.tags
}

# random_password came with random 2.2; 2.0.0 has random_string, whose id is
# "none", so the value shows up in no Terraform log line.
resource "random_string" "api_key" {
  length  = 40
  special = false
}

resource "aws_ssm_parameter" "api_key" {
  name        = "/${var.project}/shared/partner-api-key"
  description = "The key the partner team calls the orders API with."
  type        = "SecureString"
  value       = random_string.api_key.result
  tags        = module.tags.tags
}

resource "aws_ssm_parameter" "uploads_bucket" {
  name  = "/${var.project}/shared/uploads-bucket"
  type  = "String"
  value = aws_s3_bucket.uploads.id
  tags  = module.tags.tags
}

resource "aws_ssm_parameter" "orders_table" {
  name  = "/${var.project}/shared/orders-table"
  type  = "String"
  value = aws_dynamodb_table.orders.name
  tags  = module.tags.tags
}

output "uploads_bucket" {
  value = aws_s3_bucket.uploads.id
}

output "orders_table" {
  value = aws_dynamodb_table.orders.name
}

output "orders_table_arn" {
  value = aws_dynamodb_table.orders.arn
}

output "api_key" {
  description = "Handed to the partner team; link stores it for them."
  value       = random_string.api_key.result
  sensitive   = true
}
