package ui

import (
	"fmt"
	"io"

	"github.com/tfrebuild/tfrebuild/terraform"
)

// maxAttrs bounds the attributes shown per resource: a report is read by
// a person, and a create of a large resource lists every attribute.
const maxAttrs = 40

// attrText is one attribute change on one line: "~ name: "a" → "b"".
func attrText(a terraform.AttrChange) string {
	var s string
	switch {
	case a.Before == "":
		s = fmt.Sprintf("+ %s: %s", a.Path, a.After)
	case a.After == "":
		s = fmt.Sprintf("- %s: %s", a.Path, a.Before)
	default:
		s = fmt.Sprintf("~ %s: %s → %s", a.Path, a.Before, a.After)
	}
	if a.ForcesReplacement {
		s += " (forces replacement)"
	}
	return s
}

// writeAttrs prints a resource's attribute changes under its line.
func writeAttrs(w io.Writer, attrs []terraform.AttrChange, indent string) {
	for i, a := range attrs {
		if i == maxAttrs {
			fmt.Fprintf(w, "%s… %d more\n", indent, len(attrs)-maxAttrs)
			return
		}
		fmt.Fprintf(w, "%s%s\n", indent, attrText(a))
	}
}

// writeAttrsMarkdown prints a resource's attribute changes as a diff block,
// as Atlantis shows a plan: a changed value is a "-" line and a "+" line.
func writeAttrsMarkdown(w io.Writer, attrs []terraform.AttrChange) {
	if len(attrs) == 0 {
		return
	}
	fmt.Fprintln(w, "\n  ```diff")
	for i, a := range attrs {
		if i == maxAttrs {
			fmt.Fprintf(w, "  # … %d more\n", len(attrs)-maxAttrs)
			break
		}
		note := ""
		if a.ForcesReplacement {
			note = " # forces replacement"
		}
		if a.Before != "" {
			fmt.Fprintf(w, "  - %s = %s%s\n", a.Path, a.Before, note)
		}
		if a.After != "" {
			fmt.Fprintf(w, "  + %s = %s%s\n", a.Path, a.After, note)
		}
	}
	fmt.Fprintln(w, "  ```")
}
