package notify

import (
	"fmt"
	"os"
	"strings"
)

// StepSummaryEnv names the file GitHub Actions shows as a job's summary.
const StepSummaryEnv = "GITHUB_STEP_SUMMARY"

// stepSummaryLimit is GitHub's limit for one step's summary; a bigger one
// is refused whole, so a summary that large is cut instead.
const stepSummaryLimit = 1 << 20

// AppendStepSummary appends markdown to the file named by
// GITHUB_STEP_SUMMARY, creating it if missing, and does nothing when the
// variable is unset (not in GitHub Actions). The caller passes text
// already free of secrets (events.Redactor.String is a second guard).
func AppendStepSummary(markdown string) error {
	path := os.Getenv(StepSummaryEnv)
	if path == "" {
		return nil
	}
	return AppendMarkdown(path, markdown)
}

// AppendMarkdown appends markdown to path with O_APPEND, in one write so
// that other steps' writers cannot interleave with it, ending it with a
// blank line so that the next writer's text starts a new block.
func AppendMarkdown(path, markdown string) error {
	text := strings.TrimRight(markdown, "\n") + "\n\n"
	if len(text) > stepSummaryLimit {
		const note = "\n\n_…summary cut: it exceeded GitHub's 1 MiB step summary limit; the full report is in the job log._\n\n"
		cut := strings.ToValidUTF8(text[:stepSummaryLimit-len(note)], "")
		text = cut + note
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("append the step summary to %s (%s): %w", path, StepSummaryEnv, err)
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return fmt.Errorf("append the step summary to %s (%s): %w", path, StepSummaryEnv, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("append the step summary to %s (%s): %w", path, StepSummaryEnv, err)
	}
	return nil
}
