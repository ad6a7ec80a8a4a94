package e2e

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

// make demo-runbook, as CI runs it: the seed runbook example rebuilt with
// its restores and its manual step confirmed, then rebuilt in the other
// region with its region-loss config; the demo starts and stops its own
// emulator.
func TestDemoRunbookRebuildsBothRegions(t *testing.T) {
	t.Parallel()
	testenv.ProviderMirror(t)
	bin := testenv.Binary(t)
	root := testenv.RepoRoot()
	demo := filepath.Join(t.TempDir(), "demo")
	build := exec.Command("go", "build", "-o", demo, "./examples/demo")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the demo: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, demo, "-tfrebuild", bin,
		"-config", "examples/runbook-aws/rebuild.hcl", "-dr-config", "examples/runbook-aws/rebuild-dr.hcl",
		"-endpoint-input", "aws_endpoint")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make demo-runbook: %v\n%s", err, out)
	}
	text := string(out)
	for _, want := range []string{
		"restored runbook-orders from table runbook-orders-live in eu-west-2",
		"restored runbook-orders from table runbook-orders-live in eu-west-1",
		"restored runbook-uploads-123456789012-eu-west-2 from s3://runbook-uploads-replica-123456789012",
		"restored runbook-uploads-123456789012-eu-west-1 from s3://runbook-uploads-replica-123456789012",
		"step.handoff confirmed by demo",
		"of RTO 1h0m0s",
		"(RPO 15m0s: within)",
		"demo: moto_server stopped",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the demo's output lacks %q\n%s", want, text)
		}
	}
	if n := strings.Count(text, "step.handoff     confirmed by demo at"); n != 2 {
		t.Errorf("step.handoff confirmed and passed in %d rounds, want 2 (the runbook and the region-loss rebuild)\n%s", n, text)
	}
}
