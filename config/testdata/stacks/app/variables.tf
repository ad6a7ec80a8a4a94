variable "colour" {
  type = string
}

variable "vpc_id" {
  type = string
}

variable "size" {
  type    = number
  default = 1
}
