# The tags every resource of the orders service carries, in one place, so
# that the stacks agree on them. 2019's AWS provider has no default_tags:
# each resource sets tags = module.tags.tags.

variable "project" {
  type = string
}

variable "stack" {
  description = "The stack the resource belongs to (shared, blue, green, link)."
  type        = string
}

variable "extra" {
  type    = map(string)
  default = {}
}

output "tags" {
  value = merge({
    Project   = var.project
    Stack     = var.stack
    ManagedBy = "terraform"
  }, var.extra)
}
