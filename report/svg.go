package report

import (
	"fmt"
	"html"
	"strings"
)

// Geometry of the charts.
const (
	labelW = 180
	plotW  = 640
	rowH   = 22
	axisH  = 24
)

// GanttSVG is the timeline as inline SVG: a row per stage, a bar per
// attempt and per wait for a person, the critical path in its colour,
// run starts as dashed lines. Its title and desc say what it shows; the
// attempts table beside it is its text alternative.
func (r *Report) GanttSVG() string {
	bars, length := r.Bars()
	if length <= 0 {
		length = 1
	}
	rows := map[string]int{}
	for _, s := range r.Stages {
		rows[s.Name] = len(rows)
	}
	h := axisH + rowH*len(rows) + 8
	x := func(s float64) float64 { return labelW + s/length*plotW }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg role="img" aria-labelledby="gantt-title gantt-desc" width="%d" height="%d" viewBox="0 0 %d %d">`,
		labelW+plotW+10, h, labelW+plotW+10, h)
	fmt.Fprintf(&b, `<title id="gantt-title">Timeline of the rebuild of %s: %d stages over %s</title>`, esc(r.Project), len(rows), clock(length))
	fmt.Fprintf(&b, `<desc id="gantt-desc">One row per stage, one bar per attempt (blue applied, red failed, orange interrupted, grey up to date, yellow waiting for a person); the critical path in purple; dashed lines mark the start of each run. The table "Attempts" below gives the same data as text.</desc>`)
	for i := 0; i <= 4; i++ {
		s, anchor := length*float64(i)/4, "middle"
		if i == 4 {
			anchor = "end"
		}
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/><text x="%.1f" y="14" font-size="11" text-anchor="%s">%s</text>`,
			x(s), axisH-4, x(s), h, x(s), anchor, clock(s))
	}
	for _, run := range r.Runs {
		if r.StartedAt != nil {
			s := run.StartedAt.Sub(*r.StartedAt).Seconds()
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#555" stroke-dasharray="4 3"/>`, x(s), axisH-4, x(s), h)
		}
	}
	for _, s := range r.Stages {
		y := axisH + rowH*rows[s.Name]
		fmt.Fprintf(&b, `<text x="4" y="%d" font-size="12">%s</text>`, y+15, esc(s.Name))
	}
	for _, bar := range bars {
		y := axisH + rowH*rows[bar.Stage]
		fill := colours[bar.Kind]
		if bar.Critical {
			fill = CriticalColour
		}
		w := max(x(bar.To)-x(bar.From), 2)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"><title>%s: %s, %s</title></rect>`,
			x(bar.From), y+3, w, rowH-6, fill, esc(bar.Stage), esc(bar.Kind), clock(bar.To-bar.From))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// TrendSVG is the RTO of each record of the history as a line chart
// against the objective, regressions marked.
func TrendSVG(t *Trend) string {
	n := len(t.Points)
	top := t.RTOSeconds
	for _, p := range t.Points {
		top = max(top, p.Seconds)
	}
	if top <= 0 {
		top = 1
	}
	const h = 200
	x := func(i int) float64 {
		if n <= 1 {
			return labelW + plotW/2
		}
		return labelW + float64(i)*plotW/float64(n-1)
	}
	y := func(s float64) float64 { return 10 + (1-s/top)*(h-40) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg role="img" aria-labelledby="trend-title trend-desc" width="%d" height="%d" viewBox="0 0 %d %d">`, labelW+plotW+20, h, labelW+plotW+20, h)
	fmt.Fprintf(&b, `<title id="trend-title">RTO of the last %d runs of %s</title><desc id="trend-desc">One point per run, oldest left; the dashed line is the objective; a red point has a stage flagged as a regression. The table below gives the same data.</desc>`, n, esc(t.Project))
	if t.RTOSeconds > 0 {
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#d32f2f" stroke-dasharray="6 4"/><text x="4" y="%.1f" font-size="11">objective %s</text>`,
			labelW, y(t.RTOSeconds), labelW+plotW, y(t.RTOSeconds), y(t.RTOSeconds)+4, clock(t.RTOSeconds))
	}
	var pts []string
	for i, p := range t.Points {
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), y(p.Seconds)))
	}
	fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#1f77b4" stroke-width="2"/>`, strings.Join(pts, " "))
	for i, p := range t.Points {
		fill := "#1f77b4"
		if len(p.Regressions) > 0 {
			fill = "#d32f2f"
		}
		fmt.Fprintf(&b, `<circle class="point" cx="%.1f" cy="%.1f" r="5" fill="%s"><title>%s %s: %s</title></circle>`, x(i), y(p.Seconds), fill, esc(p.Kind), p.StartedAt.Format("2006-01-02 15:04"), clock(p.Seconds))
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="10" text-anchor="middle">%s</text>`, x(i), h-8, p.StartedAt.Format("01-02 15:04"))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func esc(s string) string { return html.EscapeString(s) }
