vpc_id = "vpc-1"
size   = 3
