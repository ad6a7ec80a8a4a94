# A stack whose destroy fails until a file exists: a teardown that breaks
# half-way, and can be finished once the cause is removed.
terraform {
  backend "s3" {}
}

variable "name" {
  type = string
}

variable "gate" {
  type    = string
  default = ""
}

resource "terraform_data" "gate" {
  input = { name = var.name, gate = var.gate }

  provisioner "local-exec" {
    when    = destroy
    command = "test -z '${self.input.gate}' || test -e '${self.input.gate}' || { echo 'the gate file ${self.input.gate} is missing' >&2; exit 4; }"
  }
}

output "url" {
  value = "https://${var.name}.internal"
}
