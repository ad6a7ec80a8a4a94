terraform {
  backend "s3" {}
}

output "vpc_id" {
  value = "vpc-1"
}

output "secret" {
  value     = "s3cr3t"
  sensitive = true
}
