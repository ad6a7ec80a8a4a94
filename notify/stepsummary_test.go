package notify

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAppendStepSummary(t *testing.T) {
	path := filepath.Join(t.TempDir(), "summary.md")
	t.Setenv(StepSummaryEnv, path)
	if err := AppendStepSummary("## plan\n\n| stage | status |\n|---|---|\n| stack.blue | done |"); err != nil {
		t.Fatal(err)
	}
	if err := AppendStepSummary("## drill\n\nRTO 14m of 2h: met\n"); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want := "## plan\n\n| stage | status |\n|---|---|\n| stack.blue | done |\n\n## drill\n\nRTO 14m of 2h: met\n\n"
	if string(got) != want {
		t.Fatalf("summary file =\n%q\nwant\n%q", got, want)
	}
}

func TestAppendStepSummaryKeepsOthersText(t *testing.T) {
	path := filepath.Join(t.TempDir(), "summary.md")
	os.WriteFile(path, []byte("# from an earlier step\n"), 0o644)
	t.Setenv(StepSummaryEnv, path)
	if err := AppendStepSummary("## apply"); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "# from an earlier step\n## apply\n\n" {
		t.Fatalf("summary file = %q", got)
	}
}

func TestAppendStepSummaryOutsideActions(t *testing.T) {
	t.Setenv(StepSummaryEnv, "")
	if err := AppendStepSummary("## apply"); err != nil {
		t.Fatalf("without %s: %v", StepSummaryEnv, err)
	}
}

func TestAppendStepSummaryCutsAtGitHubsLimit(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "summary.md")
	if err := AppendMarkdown(path, strings.Repeat("| x |\n", stepSummaryLimit)); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if len(got) > stepSummaryLimit || !strings.Contains(string(got), "summary cut") {
		t.Fatalf("%d bytes, cut note present: %v", len(got), strings.Contains(string(got), "summary cut"))
	}
}

func TestAppendStepSummaryBadPath(t *testing.T) {
	t.Setenv(StepSummaryEnv, filepath.Join(t.TempDir(), "no", "dir", "summary.md"))
	if err := AppendStepSummary("x"); err == nil || !strings.Contains(err.Error(), StepSummaryEnv) {
		t.Fatalf("want an error naming %s, got %v", StepSummaryEnv, err)
	}
}
