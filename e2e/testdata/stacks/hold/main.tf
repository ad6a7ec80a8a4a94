# A stack whose apply holds still until the test opens its gate: it drops
# gate/waiting when its apply is under way (its state lock held), then
# waits for gate/open (at most five minutes).
terraform {
  backend "s3" {}
}

variable "gate" {
  type = string
}

resource "terraform_data" "gate" {
  input = var.gate

  provisioner "local-exec" {
    command = "mkdir -p '${var.gate}' && touch '${var.gate}/waiting'; i=0; while [ ! -e '${var.gate}/open' ] && [ $i -lt 1500 ]; do sleep 0.2; i=$((i+1)); done"
  }
}

output "gate" {
  value = var.gate
}
