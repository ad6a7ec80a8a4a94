# Routes traffic between the colours and hands the partner team its key.
terraform {
  required_version = ">= 1.5"
  backend "s3" {}
  required_providers {
    aws = { source = "hashicorp/aws", version = "1.60.0" }
  }
}

variable "blue_url" {
  type = string
}

variable "green_url" {
  description = "null when green is not part of the rebuild."
  type        = string
  default     = null
}

variable "api_key" {
  type      = string
  sensitive = true
}

module "tags" {
  source  = "../../modules/tags"
  project = var.project
  stack   = "link"
}

resource "aws_ssm_parameter" "routes" {
  name = "/${var.project}/link/routes"
  type = "String"
  value = jsonencode({
    active  = var.blue_url
    standby = var.green_url
  })
  tags = module.tags.tags
}

resource "aws_ssm_parameter" "partner_api_key" {
  name        = "/${var.project}/link/partner-api-key"
  description = "What the partner team's gateway reads."
  type        = "SecureString"
  value       = var.api_key
  tags        = module.tags.tags
}

output "active_url" {
  value = var.blue_url
}

output "partner_key_parameter" {
  value = aws_ssm_parameter.partner_api_key.name
}
