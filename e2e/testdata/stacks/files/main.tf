# A stack with a real provider (local 1.4.0, from the provider mirror that
# ../shared/tools/offline-providers.sh builds) and no committed lock file:
# its files can drift by hand, and the run keeps the lock file it makes.
terraform {
  backend "s3" {}
  required_providers {
    local = {
      source  = "hashicorp/local"
      version = "1.4.0"
    }
  }
}

variable "dir" {
  type = string
}

resource "local_file" "a" {
  filename = "${var.dir}/a.txt"
  content  = "a"
}

resource "local_file" "b" {
  filename = "${var.dir}/b.txt"
  content  = "b"
}

output "files" {
  value = [local_file.a.filename, local_file.b.filename]
}
