package readiness

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// Verdict is a check's outcome. The values are a contract (JSON, docs).
type Verdict string

const (
	OK   Verdict = "ok"
	Warn Verdict = "warn"
	Fail Verdict = "fail"
)

// Check is one finding. Its JSON form is a contract (docs/commands.md).
type Check struct {
	// Name is the check's kind and subject: access.target, state_bucket,
	// restore.orders, image.api, global_name.BUCKET, engine, rto.
	Name    string  `json:"name"`
	Verdict Verdict `json:"verdict"`
	// Found says what the check found.
	Found string `json:"found"`
	// Do says what to do, a complete command where there is one; empty
	// when nothing is to be done.
	Do string `json:"do,omitempty"`
}

// Report is every check of one readiness run.
type Report struct {
	Project   string    `json:"project"`
	AccountID string    `json:"account_id"`
	Region    string    `json:"region"`
	CheckedAt time.Time `json:"checked_at"`
	// Ready is true when no check failed (warnings allowed).
	Ready  bool    `json:"ready"`
	Checks []Check `json:"checks"`
}

func (r *Report) add(cs ...Check) {
	r.Checks = append(r.Checks, cs...)
}

// finish decides Ready from the checks.
func (r *Report) finish() {
	r.Ready = len(r.Failed()) == 0
}

// Failed names the failing checks, in the order they ran.
func (r *Report) Failed() []string {
	var out []string
	for _, c := range r.Checks {
		if c.Verdict == Fail {
			out = append(out, c.Name)
		}
	}
	return out
}

// WriteJSON writes the report as one JSON document.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

var icons = map[Verdict]string{OK: "ok  ", Warn: "WARN", Fail: "FAIL"}

// WriteText writes the report for a terminal or a CI log.
func WriteText(w io.Writer, r *Report) {
	fmt.Fprintf(w, "Readiness of %s (account %s, %s) at %s\n", r.Project, r.AccountID, r.Region, r.CheckedAt.UTC().Format(time.RFC3339))
	for _, c := range r.Checks {
		fmt.Fprintf(w, "  %s %s: %s\n", icons[c.Verdict], c.Name, c.Found)
		if c.Do != "" {
			fmt.Fprintf(w, "       do: %s\n", c.Do)
		}
	}
	fmt.Fprintln(w, verdictLine(r))
}

func verdictLine(r *Report) string {
	if r.Ready {
		return fmt.Sprintf("READY: %d checks, %d warnings", len(r.Checks), count(r, Warn))
	}
	return fmt.Sprintf("NOT READY: %d of %d checks failed (%s)", count(r, Fail), len(r.Checks), strings.Join(r.Failed(), ", "))
}

func count(r *Report, v Verdict) int {
	n := 0
	for _, c := range r.Checks {
		if c.Verdict == v {
			n++
		}
	}
	return n
}

var mdIcons = map[Verdict]string{OK: ":white_check_mark: ok", Warn: ":warning: warn", Fail: ":x: fail"}

// WriteMarkdown writes the report as a table that fits a pull-request
// comment and $GITHUB_STEP_SUMMARY.
func WriteMarkdown(w io.Writer, r *Report) {
	fmt.Fprintf(w, "### Readiness of %s: %s\n\n", mdCell(r.Project), verdictLine(r))
	fmt.Fprintf(w, "Account `%s`, region `%s`, checked %s.\n\n", r.AccountID, r.Region, r.CheckedAt.UTC().Format(time.RFC3339))
	fmt.Fprintln(w, "| check | verdict | found | do |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, c := range r.Checks {
		do := ""
		if c.Do != "" {
			do = "`" + strings.ReplaceAll(mdCell(c.Do), "`", "'") + "`"
		}
		fmt.Fprintf(w, "| `%s` | %s | %s | %s |\n", c.Name, mdIcons[c.Verdict], mdCell(c.Found), do)
	}
	fmt.Fprintln(w)
}

// mdCell keeps a value inside one table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "|", "\\|")
	return strings.ReplaceAll(s, "\n", " ")
}
