terraform {
  backend "s3" {}
  required_providers {
    null = {
      source  = "hashicorp/null"
      version = "1.0.0"
    }
  }
}

resource "null_resource" "x" {}
