package rebuild

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/stages"
	"github.com/tfrebuild/tfrebuild/terraform"
)

func (r *run) backend(st *config.Stack) terraform.Backend {
	s := r.cfg.State
	b := terraform.Backend{
		Bucket: s.Bucket, Key: terraform.StateKey(r.cfg.Project, st.Name), Region: r.cfg.Target.Region,
		LockTable: s.LockTable, UseLockfile: s.UseLockfile, KMSKeyID: s.KMSKeyID,
		RoleARN: r.cfg.Target.RoleARN, ExternalID: r.cfg.Target.ExternalID,
	}
	if r.session != nil && len(r.session.Endpoints) > 0 {
		b.Endpoints = map[string]string{}
		for svc, url := range r.session.Endpoints {
			if svc != "ecr" {
				b.Endpoints[svc] = url
			}
		}
	}
	return b
}

func (r *run) stack(ctx context.Context, st *config.Stack) error {
	r.clearNotes("stack." + st.Name)
	r.mu.Lock()
	vars, diags := r.scope.Inputs(st)
	r.mu.Unlock()
	if diags.HasErrors() {
		return config.DiagnosticsError(diags)
	}
	res, err := r.tf.Apply(ctx, terraform.Stack{Name: st.Name, SourceDir: st.SourceDir, Backend: r.backend(st), Vars: vars})
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.scope.SetOutputs(st.Name, res.Outputs.Values)
	r.sensitive[st.Name] = res.Outputs.Sensitive
	r.ckpt.Stage("stack." + st.Name).OutputHashes = hashOutputs(res.Outputs.Values)
	r.mu.Unlock()
	msg := "no changes"
	if res.Changed {
		msg = "applied"
	}
	r.note("stack."+st.Name, fmt.Sprintf("%s; %d outputs (state key %s)", msg, len(res.Outputs.Values), terraform.StateKey(r.cfg.Project, st.Name)))
	return nil
}

// hashOutputs keeps a SHA-256 per output so that a resumed run can tell
// whether upstream values changed without storing them.
func hashOutputs(values map[string]cty.Value) map[string]string {
	out := map[string]string{}
	for name, v := range values {
		b, err := ctyjson.Marshal(v, v.Type())
		if err != nil {
			continue
		}
		sum := sha256.Sum256(b)
		out[name] = "sha256:" + hex.EncodeToString(sum[:])
	}
	return out
}

func (r *run) check(ctx context.Context, name string) error {
	var c *config.Check
	for _, ch := range r.cfg.Checks {
		if ch.Name == name {
			c = ch
		}
	}
	r.mu.Lock()
	url, diags := r.scope.String(c.URL)
	secret := false
	for _, o := range c.Outputs {
		secret = secret || r.sensitive[o.Stack][o.Output]
	}
	r.mu.Unlock()
	if diags.HasErrors() {
		return config.DiagnosticsError(diags)
	}
	shown := url
	if secret {
		shown = "(sensitive URL)"
	}
	r.note("check."+name, fmt.Sprintf("polling %s for HTTP %d, up to %s", shown, c.Status, c.Timeout))
	return poll(ctx, url, shown, c.Status, c.Timeout, c.Interval)
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

func (r *run) step(name string) error {
	var st *config.Step
	for _, s := range r.cfg.Steps {
		if s.Name == name {
			st = s
		}
	}
	r.mu.Lock()
	rec := r.ckpt.Stage("step." + name)
	confirmed := rec.ConfirmedAt != nil
	r.mu.Unlock()
	if confirmed {
		r.note("step."+name, fmt.Sprintf("confirmed by %s at %s", rec.ConfirmedBy, rec.ConfirmedAt.Format(time.RFC3339)))
		return nil
	}
	r.note("step."+name, "MANUAL STEP: "+st.Instructions+" Then run: tfrebuild confirm "+name+" --config "+r.cfg.Filename)
	return stages.ErrWaiting
}
