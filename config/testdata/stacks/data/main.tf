terraform {
  backend "s3" {}
}

resource "aws_dynamodb_table" "orders" {
  name     = "orders"
  hash_key = "id"
}

resource "aws_s3_bucket" "uploads" {
  bucket = "orders-uploads"
}
