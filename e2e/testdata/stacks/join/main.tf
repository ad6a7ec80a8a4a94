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

resource "terraform_data" "join" {
  input = [var.blue_url, var.green_url]
}

output "active" {
  value = var.blue_url
}

output "standby" {
  value = var.green_url
}
