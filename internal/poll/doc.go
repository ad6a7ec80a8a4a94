// Package poll waits for something the cloud does in its own time (a table
// becoming ACTIVE, a restore finishing) by asking again at an interval that
// grows with the time already waited, capped low, so that a wait ends at
// most a small fraction of itself, and never more than the cap, after the
// resource is ready. Errors are the caller's: the AWS SDK's retryer has
// already retried what is transient before a check returns an error.
package poll
