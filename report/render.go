package report

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/tfrebuild/tfrebuild/checkpoint"
)

// WriteJSON writes the report as indented JSON.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// funcs are the templates' helpers, shared by the HTML and Markdown forms.
var funcs = template.FuncMap{
	"clock": clock,
	"secs":  func(s int64) float64 { return float64(s) },
	"time": func(t any) string {
		switch v := t.(type) {
		case time.Time:
			return v.UTC().Format("2006-01-02 15:04:05Z")
		case *time.Time:
			if v != nil {
				return v.UTC().Format("2006-01-02 15:04:05Z")
			}
		}
		return "—"
	},
	"age": func(s *int64) string {
		if s == nil {
			return "unknown"
		}
		return clock(float64(*s))
	},
	"ended": func(a checkpoint.Attempt) string {
		if a.FinishedAt == nil {
			return "—"
		}
		return a.FinishedAt.UTC().Format("15:04:05Z")
	},
	"took": func(a checkpoint.Attempt) string {
		if a.FinishedAt == nil {
			return "—"
		}
		return clock(a.FinishedAt.Sub(a.StartedAt).Seconds())
	},
	"changes": changeCounts,
	"cell":    func(s string) string { return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s) },
	"pct": func(part, whole float64) string {
		if whole <= 0 {
			return "0%"
		}
		return fmt.Sprintf("%.0f%%", 100*part/whole)
	},
	"yes": func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	},
	"svg":   func(s string) template.HTML { return template.HTML(s) },
	"trend": func(t *Trend) template.HTML { return template.HTML(TrendSVG(t)) },
	"stage": func(p Point, name string) string {
		if s, ok := p.Stages[name]; ok {
			return clock(s)
		}
		return "—"
	},
}

// changeCounts is "2 create, 1 update (1 repaired)" for a stack's changes.
func changeCounts(list []checkpoint.ResourceChange) string {
	if len(list) == 0 {
		return "no changes"
	}
	n, order, repaired := map[string]int{}, []string{}, 0
	for _, c := range list {
		if n[c.Action] == 0 {
			order = append(order, c.Action)
		}
		n[c.Action]++
		if c.Repaired {
			repaired++
		}
	}
	var parts []string
	for _, a := range order {
		parts = append(parts, fmt.Sprintf("%d %s", n[a], a))
	}
	s := strings.Join(parts, ", ")
	if repaired > 0 {
		s += fmt.Sprintf(" (%d repaired drift)", repaired)
	}
	return s
}

// WriteHTML writes the report as one self-contained page.
func WriteHTML(w io.Writer, r *Report) error {
	return htmlPage.Execute(w, struct {
		*Report
		Gantt string
		Bars  []Bar
	}{r, r.GanttSVG(), bars(r)})
}

// WriteMarkdown writes the report as Markdown.
func WriteMarkdown(w io.Writer, r *Report) error {
	return mdPage.Execute(w, struct {
		*Report
		Bars []Bar
	}{r, bars(r)})
}

// WriteTrendHTML and WriteTrendMarkdown write the history's trend.
func WriteTrendHTML(w io.Writer, t *Trend) error { return trendHTML.Execute(w, t) }

// WriteTrendMarkdown writes the trend as Markdown.
func WriteTrendMarkdown(w io.Writer, t *Trend) error { return trendMD.Execute(w, t) }

func bars(r *Report) []Bar {
	b, _ := r.Bars()
	return b
}
