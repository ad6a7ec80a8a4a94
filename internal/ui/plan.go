package ui

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/tfrebuild/tfrebuild/outcome"
	"github.com/tfrebuild/tfrebuild/stages"
)

var symbols = map[string]string{"create": "+", "update": "~", "delete": "-", "replace": "-/+", "read": "<=", "drift": "!"}

// countsText is "2 to create, 1 to change" for a stage's counts.
func countsText(c outcome.Counts) string {
	var parts []string
	for _, k := range []struct{ key, label string }{{"create", "to create"}, {"update", "to change"}, {"replace", "to replace"},
		{"delete", "to destroy"}, {"read", "to read"}, {"drift", "drifted"}, {"restore", "to restore"}} {
		if c[k.key] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c[k.key], k.label))
		}
	}
	if len(parts) == 0 {
		return "no changes"
	}
	return strings.Join(parts, ", ")
}

func headline(s *outcome.PlanStage) string {
	switch s.Status {
	case stages.Done:
	case stages.Skipped:
		return "skipped (optional, not in this run)"
	default:
		return string(s.Status)
	}
	if s.Restore != nil {
		return restoreHeadline(s.Restore)
	}
	text := countsText(s.Counts)
	if s.State == "empty" {
		text += " (no state yet)"
	}
	if s.Mocked {
		text += " [rests on mocked values]"
	}
	return text
}

// withEngine is the header's " with opentofu 1.12.6", the engine set in
// format; nothing for a report without one.
func withEngine(engine, format string) string {
	if engine == "" {
		return ""
	}
	return " with " + fmt.Sprintf(format, engine)
}

// WritePlan prints the plan for a person: a line per stage, then each
// action with its address.
func WritePlan(w io.Writer, p *outcome.PlanReport) {
	fmt.Fprintf(w, "Plan for %s → account %s, %s%s\n\n", p.Project, p.Account, p.Region, withEngine(p.Engine, "%s"))
	for _, s := range p.Stages {
		fmt.Fprintf(w, "%s: %s\n", s.Name, headline(s))
		for _, a := range s.Actions {
			line := fmt.Sprintf("  %-3s %s", symbol(a.Action), a.Address)
			if a.Detail != "" {
				line += ": " + a.Detail
			}
			fmt.Fprintln(w, line)
			writeAttrs(w, a.Attrs, "        ")
		}
		for _, m := range s.MockedInputs {
			fmt.Fprintf(w, "  mocked input: %s\n", m)
		}
		if s.Restore != nil {
			for _, u := range s.Restore.Unchecked {
				fmt.Fprintf(w, "  not checked: %s\n", u)
			}
		}
		if s.Error != "" && s.Status == stages.Failed {
			fmt.Fprintf(w, "  error: %s\n", strings.ReplaceAll(s.Error, "\n", "\n    "))
		}
	}
	fmt.Fprintf(w, "\nTotal: %s.", totalText(p))
	if p.Mocked {
		fmt.Fprint(w, " Some plans rest on mocked or placeholder values; apply always plans afresh.")
	}
	fmt.Fprintln(w)
}

// WritePlanJSON writes the plan document described in docs/ci.md.
func WritePlanJSON(w io.Writer, p *outcome.PlanReport) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

// WritePlanMarkdown writes a pull-request comment: a totals table, then a
// collapsible section per stage with changes.
func WritePlanMarkdown(w io.Writer, p *outcome.PlanReport) {
	fmt.Fprintf(w, "### tfrebuild plan: `%s` → account `%s`, `%s`%s\n\n", p.Project, p.Account, p.Region, withEngine(p.Engine, "`%s`"))
	if failed := p.Failed(); len(failed) > 0 {
		fmt.Fprintf(w, "**The plan failed** for: %s.\n\n", strings.Join(failed, ", "))
	}
	fmt.Fprintln(w, "| stage | create | change | replace | destroy | drift | restore | notes |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---|---|")
	for _, s := range p.Stages {
		var notes []string
		if s.Status != stages.Done {
			notes = append(notes, string(s.Status))
		}
		if s.State == "empty" {
			notes = append(notes, "no state yet")
		}
		if s.Mocked {
			notes = append(notes, "⚠️ rests on mocked values")
		}
		if s.Restore != nil {
			notes = append(notes, restoreHeadline(s.Restore))
		}
		restoreCol := ""
		if s.Restore != nil {
			restoreCol = string(s.Restore.Action) + ": " + restoreCounts(s.Restore)
		}
		fmt.Fprintf(w, "| `%s` | %d | %d | %d | %d | %d | %s | %s |\n", s.Name, s.Counts["create"], s.Counts["update"],
			s.Counts["replace"], s.Counts["delete"], s.Counts["drift"], restoreCol, strings.Join(notes, "; "))
	}
	fmt.Fprintf(w, "| **total** | **%d** | **%d** | **%d** | **%d** | **%d** | **%d** | %s |\n\n", p.Totals["create"], p.Totals["update"],
		p.Totals["replace"], p.Totals["delete"], p.Totals["drift"], p.Totals["restore"], incomplete(p))
	for _, s := range p.Stages {
		if len(s.Actions) == 0 && s.Error == "" && len(s.MockedInputs) == 0 {
			continue
		}
		fmt.Fprintf(w, "<details><summary><code>%s</code>: %s</summary>\n\n", s.Name, headline(s))
		for _, a := range s.Actions {
			line := fmt.Sprintf("- `%s` `%s`", symbol(a.Action), a.Address)
			if a.Detail != "" {
				line += " — " + a.Detail
			}
			fmt.Fprintln(w, line)
			writeAttrsMarkdown(w, a.Attrs)
		}
		for _, m := range s.MockedInputs {
			fmt.Fprintf(w, "- mocked input: `%s`\n", m)
		}
		if s.Restore != nil {
			for _, u := range s.Restore.Unchecked {
				fmt.Fprintf(w, "- not checked: %s\n", u)
			}
		}
		if s.Error != "" {
			fmt.Fprintf(w, "\n```\n%s\n```\n", s.Error)
		}
		fmt.Fprint(w, "\n</details>\n\n")
	}
}

// totalText is the plan's total; a plan in which a stage could not be
// planned does not know it, and says so rather than "no changes".
func totalText(p *outcome.PlanReport) string {
	if failed := p.Failed(); len(failed) > 0 {
		return fmt.Sprintf("unknown: %d stage(s) could not be planned (%s); %s at least", len(failed), strings.Join(failed, ", "), countsText(p.Totals))
	}
	return countsText(p.Totals)
}

// incomplete is the Markdown total's note for a plan with failed stages.
func incomplete(p *outcome.PlanReport) string {
	if failed := p.Failed(); len(failed) > 0 {
		return "incomplete: " + strings.Join(failed, ", ") + " could not be planned"
	}
	return ""
}
