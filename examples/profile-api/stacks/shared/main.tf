terraform {
  backend "s3" {}
}

variable "project" {
  type = string
}

variable "delay_seconds" {
  description = "Simulates a slow resource (used by the benchmark)."
  type        = number
  default     = 0
}

resource "terraform_data" "network" {
  input = {
    name = "${var.project}-vpc"
    cidr = "10.20.0.0/16"
  }

  provisioner "local-exec" {
    command = "sleep ${var.delay_seconds}"
  }
}

resource "terraform_data" "partner_api_key" {
  input = sha256("${var.project}-partner-key")
}

output "vpc_id" {
  value = "vpc-${substr(sha1(terraform_data.network.output.name), 0, 12)}"
}

output "cidr" {
  value = terraform_data.network.output.cidr
}

output "partner_api_key" {
  description = "Handed to the partner team after the rebuild."
  value       = terraform_data.partner_api_key.output
  sensitive   = true
}
