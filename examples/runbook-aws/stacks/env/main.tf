# One colour of the orders service (blue, or green with --with green): the
# same code, a state key of its own per colour. Its image comes from the
# registry in the management account.
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

variable "image" {
  description = "The API image, from the registry in the management account."
  type        = string
}

variable "orders_table" {
  type = string
}

variable "uploads_bucket" {
  type = string
}

locals {
  url  = "https://${var.colour}.${var.project}.internal"
  tags = { Project = var.project, Stack = var.colour, ManagedBy = "terraform" }
}

resource "aws_ssm_parameter" "config" {
  name = "/${var.project}/${var.colour}/config"
  type = "String"
  value = jsonencode({
    colour         = var.colour
    image          = var.image
    orders_table   = var.orders_table
    uploads_bucket = var.uploads_bucket
  })
  tags = local.tags
}

output "url" {
  value = local.url
}
