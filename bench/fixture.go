package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// fixture is the four-stack rebuild the benchmark measures (shared → blue
// ∥ green → link), with a delay per stack: "fast" has one slow stack
// among fast ones, where tfrebuild's per-stack overhead shows; "slow" has
// every stack slow, where fixed costs hide.
type fixture struct {
	name   string
	delays map[string]int // stack → seconds its resource takes
}

var stackNames = []string{"shared", "blue", "green", "link"}

func fixtures(delay int) []fixture {
	return []fixture{
		{"fast", map[string]int{"shared": 0, "blue": delay, "green": 0, "link": 0}},
		{"slow", map[string]int{"shared": delay, "blue": delay, "green": delay, "link": delay}},
	}
}

// source is the fixture folder a stack's code lives in.
func source(stack string) string {
	if stack == "blue" || stack == "green" {
		return "env"
	}
	return stack
}

// inputs are the values a stack receives, given its upstream outputs.
func (f fixture) inputs(stack string, outs map[string]map[string]any, fail bool) map[string]any {
	in := map[string]any{"delay_seconds": f.delays[stack], "fail": fail}
	switch stack {
	case "shared":
		in["project"] = "bench"
	case "blue", "green":
		in["colour"], in["vpc_id"], in["api_key"] = stack, outs["shared"]["vpc_id"], outs["shared"]["partner_api_key"]
	case "link":
		in["blue_url"], in["green_url"] = outs["blue"]["url"], outs["green"]["url"]
	}
	return in
}

// header is the part of rebuild.hcl every benchmark config shares.
func header(project string) string {
	return fmt.Sprintf(`project = %q
rto     = "1h"
terraform {
  version = "1.11.4"
}
target {
  account_id = "123456789012"
  region     = "eu-west-2"
}
state {
  bucket                  = "%s-tfstate"
  lock_table              = "%s-lock"
  deny_insecure_transport = false
}
`, project, project, project)
}

// config is the fixture as a rebuild.hcl; failStack's resource fails.
func (f fixture) config(project, stacksDir, failStack string) string {
	var b strings.Builder
	b.WriteString(header(project))
	refs := map[string]string{
		"shared": `project = "bench"`,
		"blue":   `colour = "blue", vpc_id = stack.shared.outputs.vpc_id, api_key = stack.shared.outputs.partner_api_key`,
		"green":  `colour = "green", vpc_id = stack.shared.outputs.vpc_id, api_key = stack.shared.outputs.partner_api_key`,
		"link":   `blue_url = stack.blue.outputs.url, green_url = stack.green.outputs.url`,
	}
	for _, s := range stackNames {
		fmt.Fprintf(&b, "stack %q {\n  source = %q\n  inputs = { %s, delay_seconds = %d, fail = %t }\n}\n",
			s, filepath.Join(stacksDir, source(s)), refs[s], f.delays[s], s == failStack)
	}
	return b.String()
}

func writeConfig(dir, text string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "rebuild.hcl"), []byte(text), 0o644)
}
