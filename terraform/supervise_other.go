//go:build !unix

package terraform

import (
	"fmt"
	"os"
)

// canSupervise: without process groups, Terraform runs directly.
const canSupervise = false

func supervise(args []string) int {
	fmt.Fprintf(os.Stderr, "tfrebuild %s: not supported on this system\n", SuperviseCommand)
	return 125
}
