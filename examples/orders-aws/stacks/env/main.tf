# One colour of the orders service (blue or green): the same code, a state
# key of its own per colour.
terraform {
  required_version = ">= 1.5"
  backend "s3" {}
  required_providers {
    aws = { source = "hashicorp/aws", version = "1.60.0" }
  }
}

variable "colour" {
  type = string
  validation {
    condition     = contains(["blue", "green"], var.colour)
    error_message = "colour is blue or green."
  }
}

variable "uploads_bucket" {
  type = string
}

variable "orders_table" {
  type = string
}

locals {
  url = "https://${var.colour}.${var.project}.internal"
}

module "tags" {
  source  = "../../modules/tags"
  project = var.project
  stack   = var.colour
}

resource "aws_ssm_parameter" "config" {
  name = "/${var.project}/${var.colour}/config"
  type = "String"
  value = jsonencode({
    colour         = var.colour
    uploads_bucket = var.uploads_bucket
    orders_table   = var.orders_table
  })
  tags = module.tags.tags
}

resource "aws_ssm_parameter" "url" {
  name  = "/${var.project}/${var.colour}/url"
  type  = "String"
  value = local.url
  tags  = module.tags.tags
}

output "url" {
  # The parameter's value is sensitive in the provider's schema; the URL is not.
  value = local.url
}

output "config_parameter" {
  value = aws_ssm_parameter.config.name
}
