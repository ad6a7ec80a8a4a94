terraform {
  backend "s3" {}
}

# A stack that takes longer when a file exists: a test slows one drill
# on purpose by creating it.
variable "slow_file" {
  type = string
}

variable "seconds" {
  type = number
}

resource "terraform_data" "slow" {
  input = var.slow_file

  provisioner "local-exec" {
    command = "if [ -f '${var.slow_file}' ]; then sleep ${var.seconds}; fi"
  }
}
