# One stack of the scale test: a resource that records its upstream, and
# an output for the next stack.
terraform {
  backend "s3" {}
}

variable "upstream" {
  type    = string
  default = ""
}

resource "terraform_data" "node" {
  input = var.upstream
}

output "id" {
  value = terraform_data.node.id
}
