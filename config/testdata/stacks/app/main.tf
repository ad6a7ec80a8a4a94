terraform {
  backend "s3" {}
}

output "url" {
  value = "https://${var.colour}.example"
}
