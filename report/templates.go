package report

import (
	htmpl "html/template"
	ttmpl "text/template"
)

const css = `body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}.passed{color:#1b5e20}.failed{color:#b71c1c}.figures td{font-size:1.1rem}
.critical{color:#7b1fa2;font-weight:bold}code{font-size:.9em}@media print{body{margin:0}}`

var htmlPage = htmpl.Must(htmpl.New("report").Funcs(funcs).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Recovery report: {{.Project}} ({{.Kind}})</title>
<style>` + css + `</style></head><body>
<header><h1>Recovery report: {{.Project}}</h1>
<p>A {{.Kind}} of account {{.Account}}, region {{.Region}}, started {{time .StartedAt}}{{if .EndedAt}}, ended {{time .EndedAt}}{{end}}.</p>
<p class="{{if .Passed}}passed{{else}}failed{{end}}"><strong>Verdict: {{.Verdict}}</strong></p></header>
<main>
<section><h2>Headline figures</h2>
<table class="figures"><tr><th scope="col">Figure</th><th scope="col">Value</th><th scope="col">Share</th></tr>
{{with .RTO}}<tr><th scope="row">RTO used</th><td>{{clock .ElapsedSeconds}}{{if $.RTOSeconds}} of {{clock $.RTOSeconds}} ({{if .Met}}met{{else}}missed{{end}}){{end}}</td><td>100%</td></tr>
<tr><th scope="row">Working</th><td>{{clock .WorkingSeconds}}</td><td>{{pct .WorkingSeconds .ElapsedSeconds}}</td></tr>
<tr><th scope="row">Waiting for a person</th><td>{{clock .WaitingSeconds}}</td><td>{{pct .WaitingSeconds .ElapsedSeconds}}</td></tr>
<tr><th scope="row">Lost to failed attempts</th><td>{{clock .FailedSeconds}}</td><td>{{pct .FailedSeconds .ElapsedSeconds}}</td></tr>
<tr><th scope="row">Idle between runs</th><td>{{clock .IdleSeconds}}</td><td>{{pct .IdleSeconds .ElapsedSeconds}}</td></tr>
<tr><th scope="row">Runs</th><td>{{.Runs}}</td><td></td></tr>{{end}}
{{with .Prediction}}<tr><th scope="row">Predicted RTO</th><td>{{clock .Seconds}} (from {{.Runs}} runs)</td><td></td></tr>{{end}}
</table>
<h3>Data age per restore</h3>
{{if .Restores}}<table><tr><th scope="col">Restore</th><th scope="col">Source</th><th scope="col">Recovery point</th><th scope="col">Data age</th><th scope="col">RPO</th><th scope="col">Within RPO</th><th scope="col">Verified</th></tr>
{{range .Restores}}<tr><td>{{.Stage}}</td><td>{{.Source}}</td><td>{{time .RecoveryPoint}}</td><td>{{age .DataAgeSeconds}}</td><td>{{if .RPOSeconds}}{{clock (secs .RPOSeconds)}}{{else}}none{{end}}</td><td>{{yes .RPOMet}}</td><td>{{or .Verified "not checked"}}</td></tr>
{{end}}</table>{{else}}<p>No restore in this rebuild.</p>{{end}}
</section>
<section><h2>Timeline</h2>
<figure>{{svg .Gantt}}<figcaption>Every attempt of every stage across the runs; the critical path in purple.</figcaption></figure>
<h3>Critical path</h3>
{{with .CriticalPath}}<table><tr><th scope="col">Stage</th><th scope="col">Took</th><th scope="col">Share</th></tr>
{{range .Stages}}<tr><td class="critical">{{.Stage}}</td><td>{{clock .Seconds}}</td><td>{{pct .Share 1.0}}</td></tr>{{end}}</table>
<h3>Slack of the other stages</h3>
<table><tr><th scope="col">Stage</th><th scope="col">Took</th><th scope="col">Slack</th></tr>
{{range .Slack}}<tr><td>{{.Stage}}</td><td>{{clock .Seconds}}</td><td>{{clock .SlackSeconds}}</td></tr>{{end}}</table>{{else}}<p>No stage is done yet.</p>{{end}}
<h3>Attempts</h3>
<table><caption>The timeline as text</caption><tr><th scope="col">Stage</th><th scope="col">What</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Critical</th></tr>
{{range .Bars}}<tr><td>{{.Stage}}</td><td>{{.Kind}}</td><td>+{{clock .From}}</td><td>+{{clock .To}}</td><td>{{yes .Critical}}</td></tr>
{{end}}</table>
</section>
<section><h2>Stages</h2>
{{range .Stages}}<h3>{{.Name}}: {{.Status}}</h3>
<p>{{if .Seconds}}Took {{clock .Seconds}}; {{end}}{{.AttemptCount}} attempt(s).{{if .ConfirmedBy}} Confirmed by {{.ConfirmedBy}} at {{time .ConfirmedAt}}.{{end}}{{if .Error}} Error: <code>{{.Error}}</code>{{end}}</p>
{{if .Attempts}}<table><tr><th scope="col">Run</th><th scope="col">Started</th><th scope="col">Finished</th><th scope="col">Took</th><th scope="col">Outcome</th><th scope="col">Error</th></tr>
{{range .Attempts}}<tr><td>{{.RunID}}</td><td>{{time .StartedAt}}</td><td>{{ended .}}</td><td>{{took .}}</td><td>{{or .Outcome "running"}}</td><td>{{.Error}}</td></tr>
{{end}}</table>{{end}}
{{if .Changes}}<p>Terraform changes: {{changes .Changes}}</p><ul>{{range .Changes}}<li><code>{{.Address}}</code>: {{.Action}}{{if .Repaired}} (repaired drift){{end}}</li>{{end}}</ul>{{end}}
{{with .Restore}}<p>Restore from {{.Result.Source}}, recovery point {{time .Result.RecoveryPoint}}{{with .Result.Verified}}, verified: {{if .OK}}ok{{else}}mismatch{{end}}{{end}}.</p>{{end}}
{{if .Findings}}<ul>{{range .Findings}}<li>{{.String}}</li>{{end}}</ul>{{end}}
{{end}}
</section>
<section><h2>Provenance</h2>
<table><tr><th scope="row">Engine</th><td>{{or .Engine "—"}}</td></tr><tr><th scope="row">Config hash</th><td><code>{{or .ConfigHash "—"}}</code></td></tr>
<tr><th scope="row">Run</th><td>{{.RunID}}</td></tr><tr><th scope="row">Ran by</th><td>{{or .RanBy "—"}}</td></tr><tr><th scope="row">From</th><td>{{or .RanFrom "—"}}</td></tr></table>
</section></main></body></html>
`))

var mdPage = ttmpl.Must(ttmpl.New("md").Funcs(ttmpl.FuncMap(funcs)).Parse(`# Recovery report: {{.Project}}

A {{.Kind}} of account {{.Account}}, region {{.Region}}, started {{time .StartedAt}}{{if .EndedAt}}, ended {{time .EndedAt}}{{end}}.

**Verdict: {{.Verdict}}**

## Headline figures

| Figure | Value | Share |
|---|---|---|
{{with .RTO}}| RTO used | {{clock .ElapsedSeconds}}{{if $.RTOSeconds}} of {{clock $.RTOSeconds}} ({{if .Met}}met{{else}}missed{{end}}){{end}} | 100% |
| Working | {{clock .WorkingSeconds}} | {{pct .WorkingSeconds .ElapsedSeconds}} |
| Waiting for a person | {{clock .WaitingSeconds}} | {{pct .WaitingSeconds .ElapsedSeconds}} |
| Lost to failed attempts | {{clock .FailedSeconds}} | {{pct .FailedSeconds .ElapsedSeconds}} |
| Idle between runs | {{clock .IdleSeconds}} | {{pct .IdleSeconds .ElapsedSeconds}} |
| Runs | {{.Runs}} | |
{{end}}{{with .Prediction}}| Predicted RTO | {{clock .Seconds}} (from {{.Runs}} runs) | |
{{end}}
## Data age per restore
{{if .Restores}}
| Restore | Source | Recovery point | Data age | RPO | Within RPO | Verified |
|---|---|---|---|---|---|---|
{{range .Restores}}| {{.Stage}} | {{cell .Source}} | {{time .RecoveryPoint}} | {{age .DataAgeSeconds}} | {{if .RPOSeconds}}{{clock (secs .RPOSeconds)}}{{else}}none{{end}} | {{yes .RPOMet}} | {{or .Verified "not checked"}} |
{{end}}{{else}}
No restore in this rebuild.
{{end}}
## Critical path
{{with .CriticalPath}}
| Stage | Took | Share |
|---|---|---|
{{range .Stages}}| **{{.Stage}}** | {{clock .Seconds}} | {{pct .Share 1.0}} |
{{end}}
Slack of the other stages:

| Stage | Took | Slack |
|---|---|---|
{{range .Slack}}| {{.Stage}} | {{clock .Seconds}} | {{clock .SlackSeconds}} |
{{end}}{{else}}
No stage is done yet.
{{end}}
## Timeline

| Stage | What | From | To | Critical |
|---|---|---|---|---|
{{range .Bars}}| {{.Stage}} | {{.Kind}} | +{{clock .From}} | +{{clock .To}} | {{yes .Critical}} |
{{end}}
## Stages
{{range .Stages}}
### {{.Name}}: {{.Status}}

{{if .Seconds}}Took {{clock .Seconds}}; {{end}}{{.AttemptCount}} attempt(s).{{if .ConfirmedBy}} Confirmed by {{.ConfirmedBy}} at {{time .ConfirmedAt}}.{{end}}{{if .Error}} Error: {{cell .Error}}{{end}}
{{if .Attempts}}
| Run | Started | Finished | Took | Outcome | Error |
|---|---|---|---|---|---|
{{range .Attempts}}| {{.RunID}} | {{time .StartedAt}} | {{ended .}} | {{took .}} | {{or .Outcome "running"}} | {{cell .Error}} |
{{end}}{{end}}{{if .Changes}}
Terraform changes: {{changes .Changes}}
{{range .Changes}}
- ` + "`{{.Address}}`" + `: {{.Action}}{{if .Repaired}} (repaired drift){{end}}{{end}}
{{end}}{{with .Restore}}
Restore from {{.Result.Source}}, recovery point {{time .Result.RecoveryPoint}}{{with .Result.Verified}}, verified: {{if .OK}}ok{{else}}mismatch{{end}}{{end}}.
{{end}}{{range .Findings}}
- {{.String}}{{end}}
{{end}}
## Provenance

| | |
|---|---|
| Engine | {{or .Engine "—"}} |
| Config hash | {{or .ConfigHash "—"}} |
| Run | {{.RunID}} |
| Ran by | {{or .RanBy "—"}} |
| From | {{or .RanFrom "—"}} |
`))

var trendHTML = htmpl.Must(htmpl.New("trend").Funcs(funcs).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Recovery history: {{.Project}}</title>
<style>` + css + `</style></head><body><main>
<h1>Recovery history: {{.Project}}</h1>
{{with .Prediction}}<p>Predicted RTO: <strong>{{clock .Seconds}}</strong> (from {{.Runs}} runs).</p>{{end}}
<h2>RTO per run</h2>
<figure>{{trend .}}<figcaption>RTO of each rebuild and drill against the objective.</figcaption></figure>
<h2>Stage durations over time</h2>
<table><tr><th scope="col">Run</th><th scope="col">Kind</th><th scope="col">RTO</th><th scope="col">Verdict</th>{{range .Stages}}<th scope="col">{{.}}</th>{{end}}</tr>
{{range $p := .Points}}<tr><td>{{time .StartedAt}}</td><td>{{.Kind}}</td><td>{{clock .Seconds}}</td><td>{{.Verdict}}</td>{{range $.Stages}}<td>{{stage $p .}}</td>{{end}}</tr>
{{end}}</table>
<h2>Regressions</h2>
<ul>{{range .Points}}{{range .Regressions}}<li class="failed">REGRESSION {{.Stage}} in run {{.RunID}}: {{clock .Seconds}} against a median of {{clock .MedianSeconds}}</li>{{end}}{{end}}</ul>
</main></body></html>
`))

var trendMD = ttmpl.Must(ttmpl.New("trendmd").Funcs(ttmpl.FuncMap(funcs)).Parse(`# Recovery history: {{.Project}}
{{with .Prediction}}
Predicted RTO: {{clock .Seconds}} (from {{.Runs}} runs).
{{end}}
| Run | Kind | RTO | Verdict |{{range .Stages}} {{.}} |{{end}}
|---|---|---|---|{{range .Stages}}---|{{end}}
{{range $p := .Points}}| {{time .StartedAt}} | {{.Kind}} | {{clock .Seconds}} | {{cell .Verdict}} |{{range $.Stages}} {{stage $p .}} |{{end}}
{{end}}{{range .Points}}{{range .Regressions}}
REGRESSION {{.Stage}} in run {{.RunID}}: {{clock .Seconds}} against a median of {{clock .MedianSeconds}}{{end}}{{end}}
`))
