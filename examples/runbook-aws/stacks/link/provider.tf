# aws 1.60.0 (2019), the version the team has qualified. aws_endpoint is
# empty against real AWS; `make demo-runbook` passes the emulator's URL as a
# stack input (that provider reads no AWS_ENDPOINT_URL).
provider "aws" {
  region = var.region

  skip_get_ec2_platforms      = true
  skip_credentials_validation = var.aws_endpoint != ""
  skip_requesting_account_id  = var.aws_endpoint != ""
  skip_metadata_api_check     = var.aws_endpoint != ""
  skip_region_validation      = var.aws_endpoint != ""
  s3_force_path_style         = var.aws_endpoint != ""

  endpoints {
    s3       = var.aws_endpoint
    dynamodb = var.aws_endpoint
    ssm      = var.aws_endpoint
    sts      = var.aws_endpoint
    iam      = var.aws_endpoint
  }
}

variable "region" {
  description = "target.region in rebuild.hcl: written once there."
  type        = string
}

variable "aws_endpoint" {
  description = "Empty for real AWS; an emulator's URL in the demo."
  type        = string
  default     = ""
}

variable "project" {
  type    = string
  default = "runbook"
}
