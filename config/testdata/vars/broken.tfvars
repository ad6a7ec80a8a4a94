vpc_id = 
