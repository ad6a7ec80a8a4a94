// Package notify tells people outside the terminal how a rebuild goes:
// webhook notifications for the `notify` blocks of rebuild.hcl, and the
// Markdown summary GitHub Actions shows for a job.
//
// A Webhook is an events.Sink. It never blocks the rebuild and never
// fails it: events are queued (a bounded queue) and POSTed by one
// goroutine, in order, with a timeout and bounded retries; Close waits a
// bounded drain time for what is left and returns the deliveries that
// failed, for the summary to note. The URL of a webhook is a secret (it
// carries the token): no message, error or payload ever contains it, and
// the notify block is named instead.
package notify
