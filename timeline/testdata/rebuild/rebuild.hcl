project = "p"
rto     = "1h"
target {
  account_id = "123456789012"
  region     = "eu-west-2"
}
state {
  bucket     = "p-tfstate"
  lock_table = "p-lock"
}
registry "app" {
  name = "p-app"
}
stack "base" {
  source = "stacks/base"
  mock_outputs = { id = "mock-id" }
}
stack "app" {
  source     = "stacks/app"
  depends_on = [stack.base]
  inputs     = { id = stack.base.outputs.id }
}
check "health" {
  url      = stack.app.outputs.url
  timeout  = "30s"
  interval = "1s"
}
step "handoff" {
  instructions = "Tell the partner team."
  after        = [check.health]
}
