# The link stack: routes between the environments.
terraform {
  backend "s3" {}
}

variable "blue_url" {
  type = string
}

variable "green_url" {
  type    = string
  default = null
}

variable "delay_seconds" {
  type    = number
  default = 0
}

variable "fail" {
  type    = bool
  default = false
}

resource "terraform_data" "router" {
  input = {
    active  = var.blue_url
    standby = var.green_url
  }
  # A change of fail replaces the router, so that the benchmark can make it
  # fail, and then succeed, again and again.
  triggers_replace = var.fail

  provisioner "local-exec" {
    command = var.fail ? "echo 'simulated failure' >&2; exit 3" : "sleep ${var.delay_seconds}"
  }
}

output "health_url" {
  value = "${terraform_data.router.output.active}/healthz"
}
