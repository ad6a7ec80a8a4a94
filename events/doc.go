// Package events defines the rebuild's event stream: the one record of what
// a run does, as it does it. The engine emits events on a Bus; the terminal
// progress, the summary, the --events NDJSON file (NDJSON) and
// notifications are subscribers (Sink). The JSON form is a contract
// documented in docs/events.md: fields are added, never renamed.
//
// No event carries a secret. The engine never puts one there, and as a
// second guard the Bus redacts every value it was told is secret
// (AddSecrets) from every string field before any sink sees the event.
package events
