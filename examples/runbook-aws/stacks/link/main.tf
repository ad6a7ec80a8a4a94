# Routes traffic to the colours and stores the key the partner team's
# gateway reads.
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

resource "aws_ssm_parameter" "routes" {
  name = "/${var.project}/link/routes"
  type = "String"
  value = jsonencode({
    active  = var.blue_url
    standby = var.green_url
  })
}

resource "aws_ssm_parameter" "partner_api_key" {
  name  = "/${var.project}/link/partner-api-key"
  type  = "SecureString"
  value = var.api_key
}

output "partner_key_parameter" {
  value = aws_ssm_parameter.partner_api_key.name
}
