package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tfrebuild/tfrebuild/events"
)

// DeliveryError is a notification that did not arrive. Its text names the
// notify block, never the URL.
type DeliveryError struct {
	Notify   string
	Event    events.Type
	Stage    string
	Attempts int
	// Status is the receiver's last HTTP status, 0 when it never answered.
	Status int
	// Reason says what went wrong, with the URL removed.
	Reason string
}

func (e *DeliveryError) Error() string {
	what := string(e.Event)
	if e.Stage != "" {
		what += " " + e.Stage
	}
	if e.Attempts == 0 {
		return fmt.Sprintf("notification %s (%s): %s", e.Notify, what, e.Reason)
	}
	return fmt.Sprintf("notification %s (%s): POST failed after %d attempts: %s", e.Notify, what, e.Attempts, e.Reason)
}

// attemptError is the outcome of one POST that did not succeed.
type attemptError struct {
	status int
	reason string
	retry  bool
	// wait is what the receiver asked for (Retry-After), 0 when it did not.
	wait time.Duration
}

// deliver POSTs d, trying again after a 5xx, a 429, a timeout or a
// network error, with a doubling wait between attempts.
func (w *Webhook) deliver(d delivery) error {
	fail := &DeliveryError{Notify: w.opts.Name, Event: d.event.Type, Stage: d.event.Stage}
	if w.ctx.Err() != nil {
		fail.Reason = fmt.Sprintf("not sent: gave up when the run ended, %s after it asked the notifications to finish", w.opts.Drain)
		return fail
	}
	wait := w.opts.Backoff
	for attempt := 1; ; attempt++ {
		aerr := w.post(d.payload)
		if aerr == nil {
			return nil
		}
		fail.Attempts, fail.Status, fail.Reason = attempt, aerr.status, aerr.reason
		if !aerr.retry || attempt == w.opts.Attempts {
			return fail
		}
		pause := min(max(wait, aerr.wait), 8*w.opts.Backoff)
		if !sleep(w.ctx, pause) {
			fail.Reason += fmt.Sprintf("; gave up when the run ended, %s after it asked the notifications to finish", w.opts.Drain)
			return fail
		}
		wait *= 2
	}
}

// post makes one attempt.
func (w *Webhook) post(payload []byte) *attemptError {
	ctx, cancel := context.WithTimeout(w.ctx, w.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.opts.URL, bytes.NewReader(payload))
	if err != nil {
		return &attemptError{reason: w.scrub(err.Error())}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "tfrebuild")
	resp, err := w.opts.Client.Do(req)
	if err != nil {
		return w.transportError(ctx, err)
	}
	defer resp.Body.Close()
	// A receiver's short answer (Slack says "invalid_payload") is what a
	// person needs to fix the block; more is noise.
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	reason := resp.Status
	if msg := strings.Join(strings.Fields(string(body)), " "); msg != "" {
		reason += ": " + msg
	}
	retry := resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests
	return &attemptError{status: resp.StatusCode, reason: w.scrub(reason), retry: retry, wait: retryAfter(resp)}
}

// transportError describes a POST that got no answer. net/http's errors
// quote the URL ("Post \"https://hooks…\": …"): only the cause is kept,
// and scrubbed again in case it quotes the URL too.
func (w *Webhook) transportError(ctx context.Context, err error) *attemptError {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) && w.ctx.Err() == nil {
		return &attemptError{reason: fmt.Sprintf("no answer within %s", w.opts.Timeout), retry: true}
	}
	if w.ctx.Err() != nil {
		return &attemptError{reason: "cancelled when the run ended"}
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	return &attemptError{reason: w.scrub(err.Error()), retry: true}
}

// scrub removes the URL and its secret parts from s, in the forms an
// error may quote them.
func (w *Webhook) scrub(s string) string {
	return scrubURL(s, w.opts.URL)
}

func scrubURL(s, raw string) string {
	secrets := []string{raw}
	if u, err := url.Parse(raw); err == nil {
		if u.Path != "" && u.Path != "/" {
			secrets = append(secrets, u.Path, u.EscapedPath())
		}
		if u.RawQuery != "" {
			secrets = append(secrets, u.RawQuery)
		}
		if p, ok := u.User.Password(); ok {
			secrets = append(secrets, p)
		}
		if u.User != nil {
			secrets = append(secrets, u.User.Username())
		}
		secrets = append(secrets, u.Redacted())
	}
	return events.NewRedactor(secrets...).String(s)
}

// retryAfter reads a Retry-After given in seconds.
func retryAfter(resp *http.Response) time.Duration {
	n, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || n <= 0 {
		return 0
	}
	return time.Duration(n) * time.Second
}

// sleep waits d unless ctx ends first; it reports whether it waited.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
