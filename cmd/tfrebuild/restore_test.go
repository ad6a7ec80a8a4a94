package main

import (
	"strings"
	"testing"
)

// A name --accept-existing does not know stops apply and drill before
// anything runs: a drill would otherwise tear the target down after the
// refused apply.
func TestAcceptExistingNamesARestore(t *testing.T) {
	t.Parallel()
	for _, cmd := range []string{"apply", "drill"} {
		out, errOut, code := runCLI(t, cmd, "--config", example, "--yes", "--accept-existing", "orders")
		if code != 1 || !strings.Contains(errOut, "--accept-existing orders: no restore block of") || strings.Contains(out+errOut, "preflight") {
			t.Errorf("%s: code %d\n%s\n%s", cmd, code, out, errOut)
		}
	}
}
