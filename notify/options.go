package notify

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// The names of `on` in a notify block: which events are sent.
const (
	OnStarted   = "started"    // run_started
	OnStageDone = "stage_done" // stage_finished, outcome done
	OnFailed    = "failed"     // stage_finished failed; run_finished failed or interrupted
	OnWaiting   = "waiting"    // waiting: a manual step waits for a person
	OnDone      = "done"       // run_finished done
	// OnReadinessFailed is readiness_failed: `tfrebuild readiness` found
	// the target not ready.
	OnReadinessFailed = "readiness_failed"
	// OnDrillVerdict is drill_verdict: a drill's outcome, passed or
	// failed, against the RTO and RPO.
	OnDrillVerdict = "drill_verdict"
)

// Triggers lists every valid `on` name.
var Triggers = []string{OnStarted, OnStageDone, OnFailed, OnWaiting, OnDone, OnReadinessFailed, OnDrillVerdict}

// DefaultOn is what a notify block without `on` sends: what needs a
// person, the end, and a drill's verdict.
var DefaultOn = []string{OnFailed, OnWaiting, OnDone, OnReadinessFailed, OnDrillVerdict}

// The payload formats.
const (
	FormatJSON  = "json"  // the event itself, as one line of --events
	FormatSlack = "slack" // a Slack incoming-webhook message
)

// Options configure one webhook: one notify block. Only Name and URL are
// required; the zero values of the others take the defaults below.
type Options struct {
	// Name is the notify block's name. Messages and errors name it, never
	// the URL.
	Name string
	// URL is where to POST. It is a secret: it is never logged or
	// printed, and is removed from any error text that quotes it.
	URL string
	// On lists the triggers to send (Triggers); empty means DefaultOn.
	On []string
	// Format is FormatJSON (the default) or FormatSlack.
	Format string

	// Timeout bounds one POST (default 10s).
	Timeout time.Duration
	// Attempts is how many times a delivery is tried (default 3). A 5xx,
	// a 429, a timeout or a network error is tried again; another 4xx is
	// not, since sending the same request again cannot fix it.
	Attempts int
	// Backoff is the wait before the second attempt (default 1s); it
	// doubles for each later one, up to 8 times Backoff.
	Backoff time.Duration
	// Drain bounds how long Close waits for queued deliveries (default
	// 15s): a hung receiver delays the end of the run by no more.
	Drain time.Duration
	// Queue is how many notifications may wait (default 100); beyond
	// that they are dropped and the drop is reported.
	Queue int
	// Client sends the requests (default: a client of its own with the
	// standard transport, which honours HTTPS_PROXY).
	Client *http.Client
}

func (o Options) withDefaults() Options {
	if len(o.On) == 0 {
		o.On = DefaultOn
	}
	if o.Format == "" {
		o.Format = FormatJSON
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Attempts <= 0 {
		o.Attempts = 3
	}
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
	if o.Drain <= 0 {
		o.Drain = 15 * time.Second
	}
	if o.Queue <= 0 {
		o.Queue = 100
	}
	if o.Client == nil {
		o.Client = &http.Client{}
	}
	return o
}

// validate checks o without ever quoting the URL.
func (o Options) validate() error {
	if o.Name == "" {
		return errors.New("notify block without a name")
	}
	var errs []error
	u, err := url.Parse(o.URL)
	switch {
	case o.URL == "":
		errs = append(errs, fmt.Errorf("notify %q: url is empty; set it (for example url = env(\"OPS_WEBHOOK_URL\"))", o.Name))
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		errs = append(errs, fmt.Errorf("notify %q: url is not an http or https URL (its value is not shown: it is a secret)", o.Name))
	}
	for _, on := range o.On {
		if !slices.Contains(Triggers, on) {
			errs = append(errs, fmt.Errorf("notify %q: unknown trigger %q in on; use %v", o.Name, on, Triggers))
		}
	}
	if o.Format != FormatJSON && o.Format != FormatSlack {
		errs = append(errs, fmt.Errorf("notify %q: unknown format %q; use %q or %q", o.Name, o.Format, FormatJSON, FormatSlack))
	}
	return errors.Join(errs...)
}

// String describes o without its URL, so that printing the options (a
// debug line, a %+v in an error) cannot leak the secret.
func (o Options) String() string {
	return fmt.Sprintf("notify %q (on %v, format %q, url hidden)", o.Name, o.On, o.Format)
}

// GoString is String, for %#v.
func (o Options) GoString() string { return o.String() }
