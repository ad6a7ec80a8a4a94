# A versioned bucket, without force_destroy, that the application fills
# with data once it exists (several versions of one object, and a delete
# marker): what a drill's teardown must still delete. Real AWS provider
# 1.60.0, from the provider mirror.
terraform {
  backend "s3" {}
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "1.60.0"
    }
  }
}

variable "bucket" {
  type = string
}

variable "aws_endpoint" {
  type = string
}

provider "aws" {
  region                      = "eu-west-2"
  skip_get_ec2_platforms      = true
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_force_path_style         = true

  endpoints {
    s3  = var.aws_endpoint
    sts = var.aws_endpoint
  }
}

resource "aws_s3_bucket" "data" {
  bucket = var.bucket

  versioning {
    enabled = true
  }
}

# The application writes: two versions of one object, and an object
# deleted again (a delete marker over its version). python is an
# interpreter with boto3 (moto's own).
variable "python" {
  type = string
}

resource "terraform_data" "writes" {
  input = aws_s3_bucket.data.bucket

  provisioner "local-exec" {
    command = <<-EOT
      ${var.python} -c 'import os, boto3; [os.environ.pop(k, None) for k in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE")]; s = boto3.client("s3", endpoint_url="${var.aws_endpoint}", region_name="eu-west-2", aws_access_key_id="testing", aws_secret_access_key="testing"); b = "${aws_s3_bucket.data.bucket}"; [s.put_object(Bucket=b, Key="orders.csv", Body=v) for v in (b"v1", b"v2")]; s.put_object(Bucket=b, Key="old.csv", Body=b"x"); s.delete_object(Bucket=b, Key="old.csv")'
    EOT
  }
}

output "bucket" {
  value = aws_s3_bucket.data.bucket
}
