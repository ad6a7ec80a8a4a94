# This file is maintained automatically by "terraform init".
# Manual edits may be lost in future updates.

provider "registry.terraform.io/hashicorp/aws" {
  version     = "1.60.0"
  constraints = "1.60.0"
  hashes = [
    "h1:AwmszQuZH35KEJtJDqNZRUDJI1qn5Fj4BvgLv8Z9HeI=",
  ]
}
