terraform {
  backend "s3" {}
}

variable "colour" {
  type = string
  validation {
    condition     = contains(["blue", "green"], var.colour)
    error_message = "colour is blue or green."
  }
}

variable "vpc_id" {
  type = string
}

variable "api_key" {
  type      = string
  sensitive = true
}

variable "delay_seconds" {
  type    = number
  default = 0
}

resource "terraform_data" "cluster" {
  input = {
    name   = "profile-api-${var.colour}"
    vpc_id = var.vpc_id
  }

  provisioner "local-exec" {
    command = "sleep ${var.delay_seconds}"
  }
}

resource "terraform_data" "service" {
  input = {
    cluster = terraform_data.cluster.output.name
    key_sha = sha256(var.api_key)
  }
}

output "url" {
  value = "https://${var.colour}.profile-api.internal"
}

output "cluster" {
  value = terraform_data.cluster.output.name
}
