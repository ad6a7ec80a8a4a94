# Shared by both colours: the orders table (its data comes back through
# restore "orders"), the uploads bucket (restore "uploads"), and the partner
# API key, new in every rebuild.
terraform {
  required_version = ">= 1.5"
  backend "s3" {}
  required_providers {
    aws    = { source = "hashicorp/aws", version = "1.60.0" }
    random = { source = "hashicorp/random", version = "2.0.0" }
  }
}

locals {
  tags = { Project = var.project, Stack = "shared", ManagedBy = "terraform" }
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

  tags = local.tags
}

resource "aws_s3_bucket" "uploads" {
  # Bucket names are global: account and region keep a rebuild in another
  # region from colliding with the lost region's bucket.
  bucket = "${var.project}-uploads-${var.account_id}-${var.region}"
  acl    = "private"

  versioning {
    enabled = true
  }

  tags = local.tags
}

# random 2.0.0 has no random_password; random_string's id is "none", so the
# value shows in no Terraform log line.
resource "random_string" "api_key" {
  length  = 40
  special = false
}

resource "aws_ssm_parameter" "api_key" {
  name        = "/${var.project}/shared/partner-api-key"
  description = "The key the partner team calls the orders API with."
  type        = "SecureString"
  value       = random_string.api_key.result
  tags        = local.tags
}

output "orders_table" {
  value = aws_dynamodb_table.orders.name
}

output "uploads_bucket" {
  value = aws_s3_bucket.uploads.id
}

output "api_key_parameter" {
  value = aws_ssm_parameter.api_key.name
}

output "api_key" {
  value     = random_string.api_key.result
  sensitive = true
}
