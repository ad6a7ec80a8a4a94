terraform {
  backend "s3" {}
}

variable "colour" {
  type = string
}

variable "network" {
  type = string
}

variable "token" {
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
    colour  = var.colour
    network = var.network
    token   = sha1(var.token)
  }

  provisioner "local-exec" {
    command = var.fail ? "echo 'simulated provisioning failure' >&2; exit 3" : "sleep ${var.delay_seconds}"
  }
}

output "url" {
  value = "https://${var.colour}.${var.network}.internal"
}
