terraform {
  backend "s3" {}
}

variable "blue_url" {
  type = string
}

variable "green_url" {
  description = "null when the green environment is not part of the rebuild."
  type        = string
  default     = null
}

variable "delay_seconds" {
  type    = number
  default = 0
}

resource "terraform_data" "router" {
  input = {
    active  = var.blue_url
    standby = var.green_url
  }

  provisioner "local-exec" {
    command = "sleep ${var.delay_seconds}"
  }
}

output "active_url" {
  value = terraform_data.router.output.active
}

output "health_url" {
  value = "${terraform_data.router.output.active}/healthz"
}
