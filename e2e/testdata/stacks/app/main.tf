terraform {
  backend "s3" {}
}

variable "colour" {
  type = string
}

variable "network" {
  type = string
}

variable "token" {
  type      = string
  sensitive = true
}

variable "delay_seconds" {
  type    = number
  default = 0
}

variable "fail" {
  type    = bool
  default = false
}

resource "terraform_data" "app" {
  input = {
    colour  = var.colour
    network = var.network
    token   = sha1(var.token)
  }

  provisioner "local-exec" {
    # E2E_MARKERS lets a test see that the apply is under way (the state
    # lock is held) instead of guessing with a fixed delay.
    command = var.fail ? "echo 'simulated provisioning failure' >&2; exit 3" : "if [ -n \"$E2E_MARKERS\" ]; then mkdir -p \"$E2E_MARKERS\" && touch \"$E2E_MARKERS/${var.colour}\"; fi; sleep ${var.delay_seconds}"
  }
}

output "url" {
  value = "https://${var.colour}.${var.network}.internal"
}
