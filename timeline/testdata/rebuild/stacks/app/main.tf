terraform {
  backend "s3" {}
}
variable "id" {
  type = string
}
output "url" {
  value = var.id
}
