terraform {
  backend "s3" {}
}

variable "name" {
  type = string
}

variable "secret" {
  type      = string
  sensitive = true
}

variable "fail" {
  type    = bool
  default = false
}

variable "command" {
  type    = string
  default = "true"
}

module "greet" {
  source = "../../modules/greet"
  name   = var.name
}

resource "terraform_data" "app" {
  triggers_replace = [var.fail, var.command]
  input = module.greet.text
  provisioner "local-exec" {
    command = var.fail ? "echo simulated provisioning failure >&2; exit 3" : var.command
  }
}

resource "terraform_data" "items" {
  count = 2
  input = count.index
}

output "greeting" {
  value = terraform_data.app.output
}

output "api_key" {
  value     = "${var.secret}-key"
  sensitive = true
}

output "count" {
  value = length(terraform_data.items)
}
