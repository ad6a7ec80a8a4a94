# One environment (blue or green) of the benchmark.
terraform {
  backend "s3" {}
}

variable "colour" {
  type = string
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

variable "fail" {
  type    = bool
  default = false
}

resource "terraform_data" "app" {
  input = {
    colour = var.colour
    vpc_id = var.vpc_id
    key    = sha1(var.api_key)
  }

  provisioner "local-exec" {
    command = var.fail ? "echo 'simulated failure' >&2; exit 3" : "sleep ${var.delay_seconds}"
  }
}

output "url" {
  value = "https://${var.colour}.${var.vpc_id}.internal"
}
