package rebuild

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/stages"
)

// checkKind polls a URL until it answers the expected status. Plan does
// not run it: the URL comes from stacks it has not applied.
type checkKind struct{}

func (checkKind) apply(ctx context.Context, a *applier, s *stages.Stage) error {
	return a.check(ctx, s.Name, findCheck(a.cfg, s.Target))
}

func (checkKind) plan(_ context.Context, p *planner, s *stages.Stage) error {
	p.note(s.Name, "not run by plan: polled after the stacks are applied")
	return nil
}

func (checkKind) destroy(_ context.Context, _ *destroyer, s *stages.Stage) error {
	return notInTeardown(s)
}

func (c *core) check(ctx context.Context, stage string, ch *config.Check) error {
	c.mu.Lock()
	url, diags := c.scope.String(ch.URL)
	secret := false
	for _, o := range ch.Outputs {
		secret = secret || c.sensitive[o.Stack][o.Output]
	}
	c.mu.Unlock()
	if diags.HasErrors() {
		return config.DiagnosticsError(diags)
	}
	shown := url
	if secret {
		shown = "(sensitive URL)"
	}
	c.note(stage, fmt.Sprintf("polling %s for HTTP %d, up to %s", shown, ch.Status, ch.Timeout))
	return poll(ctx, url, shown, ch.Status, ch.Timeout, ch.Interval)
}

func poll(ctx context.Context, url, shown string, want int, timeout, interval time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{Timeout: 10 * time.Second}
	last := "no answer yet"
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return fmt.Errorf("check URL %s: %w", shown, err)
		}
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == want {
				return nil
			}
			last = "HTTP " + resp.Status
		} else if ctx.Err() == nil {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			if ctx.Err() == context.DeadlineExceeded {
				return fmt.Errorf("%s did not answer HTTP %d within %s (last: %s)", shown, want, timeout, last)
			}
			return ctx.Err()
		case <-time.After(interval):
		}
	}
}

func findCheck(cfg *config.Config, name string) *config.Check {
	for _, ch := range cfg.Checks {
		if ch.Name == name {
			return ch
		}
	}
	return nil
}
