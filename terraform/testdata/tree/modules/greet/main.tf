variable "name" {
  type = string
}

module "shout" {
  source = "../shout"
  text   = "hello ${var.name}"
}

output "text" {
  value = module.shout.text
}
