terraform {
  backend "s3" {}
}
output "id" {
  value = "b-1"
}
