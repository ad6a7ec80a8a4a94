// Package events defines the rebuild's event stream: the one record of what
// a run does, as it does it. The engine emits events; the terminal
// progress, the summary, the --events NDJSON file and notifications are
// subscribers (Sink). The JSON form is a contract documented in
// docs/events.md: fields are added, never renamed.
package events
