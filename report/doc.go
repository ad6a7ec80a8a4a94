// Package report is the recovery report of a target's latest rebuild or
// drill, a page a team hands to its auditors: Build assembles it from the
// checkpoint's status (timeline) and the history (history); HTML renders
// one self-contained page (inline CSS and SVG: a Gantt timeline of every
// attempt with the critical path, no script, no external resource),
// Markdown and JSON the same content as text, and the history forms the
// trend of drills (RTO per run, stage durations, regressions).
//
// Everything is read from records that hold no secret; every text also
// passes through the caller's redactor (the events one) before it is
// rendered. Rendering is a pure function of the Report, tested on golden
// files (go test ./report -update rewrites them).
package report
