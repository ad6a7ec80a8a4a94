# The benchmark's shared stack: one simulated resource whose creation takes
# delay_seconds, and the outputs the environments read.
terraform {
  backend "s3" {}
}

variable "project" {
  type = string
}

variable "delay_seconds" {
  type    = number
  default = 0
}

variable "fail" {
  type    = bool
  default = false
}

resource "terraform_data" "network" {
  input = var.project

  provisioner "local-exec" {
    command = var.fail ? "echo 'simulated failure' >&2; exit 3" : "sleep ${var.delay_seconds}"
  }
}

output "vpc_id" {
  value = "vpc-${terraform_data.network.id}"
}

output "partner_api_key" {
  value     = sha256("${var.project}-key")
  sensitive = true
}
