terraform {
  backend "s3" {}
}

variable "name" {
  type = string
}

resource "terraform_data" "base" {
  input = var.name
}

output "network" {
  value = "net-${terraform_data.base.output}"
}

output "token" {
  value     = sha256("${var.name}-token")
  sensitive = true
}
