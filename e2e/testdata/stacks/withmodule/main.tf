terraform {
  backend "s3" {}
}

variable "network" {
  type = string
}

module "greeting" {
  source = "../../modules/greeting"
  name   = var.network
}

output "greeting" {
  value = module.greeting.text
}
