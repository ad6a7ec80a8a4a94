package main

import (
	"fmt"
	"strings"

	"github.com/tfrebuild/tfrebuild/rebuild"
)

// parseAdoption reads --adopt's "STACK:ADDRESS=ID".
func parseAdoption(s string) (rebuild.Adoption, error) {
	stack, rest, ok := strings.Cut(s, ":")
	addr, id, ok2 := strings.Cut(rest, "=")
	if !ok || !ok2 || stack == "" || addr == "" || id == "" {
		return rebuild.Adoption{}, fmt.Errorf("--adopt %q: want STACK:ADDRESS=ID, e.g. app:aws_ssm_parameter.key=/app/key", s)
	}
	return rebuild.Adoption{Stack: stack, Address: addr, ID: id}, nil
}
