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
	name := "stack." + st.Name
	r.clearNotes(name)
	r.mu.Lock()
	vars, diags := r.scope.Inputs(st)
	upstream := map[string]map[string]string{}
	for _, d := range r.cfg.StackDeps(st) {
		if ps := r.pipeline.Get("stack." + d); ps != nil && !ps.Skipped {
			upstream[d] = r.ckpt.Stage("stack." + d).OutputHashes
		}
	}
	rec := r.ckpt.Stage(name)
	prevFP, prevOut, wasDone := rec.Fingerprint, rec.OutputHashes, r.prevDone[name]
	crashedAt, crashed := r.crashed[name]
	r.mu.Unlock()
	if diags.HasErrors() {
		return config.DiagnosticsError(diags)
	}
	ts := terraform.Stack{Name: st.Name, SourceDir: st.SourceDir, Backend: r.backend(st), Vars: vars}
	fp, err := stackFingerprint(st, vars, upstream, r.tf.Binary.Version, ts.Backend.HCL())
	if err != nil {
		return err
	}
	if crashed {
		if err := r.releaseStaleLock(ctx, ts, crashedAt); err != nil {
			return err
		}
	}
	if wasDone && prevFP == fp {
		outs, err := r.tf.Outputs(ctx, ts)
		if err == nil && sameHashes(hashOutputs(outs.Values), prevOut) {
			r.setOutputs(st, outs, fp)
			r.note(name, "up to date: nothing it depends on changed since it was applied; skipped")
			return nil
		}
		r.note(name, "its outputs in the state differ from the checkpoint; planning again")
	}
	res, err := r.tf.Apply(ctx, ts)
	if err != nil {
		return err
	}
	r.setOutputs(st, res.Outputs, fp)
	msg := "no changes"
	if res.Changed {
		msg = "applied"
	}
	r.note(name, fmt.Sprintf("%s; %d outputs (state key %s)", msg, len(res.Outputs.Values), ts.Backend.Key))
	return nil
}

// setOutputs makes a stack's outputs visible to its dependents and records
// their hashes and the stack's fingerprint in the checkpoint.
func (r *run) setOutputs(st *config.Stack, outs terraform.Outputs, fp string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.scope.SetOutputs(st.Name, outs.Values)
	r.sensitive[st.Name] = outs.Sensitive
	rec := r.ckpt.Stage("stack." + st.Name)
	rec.OutputHashes = hashOutputs(outs.Values)
	rec.Fingerprint = fp
}

func sameHashes(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// releaseStaleLock handles a state lock left behind by this target's own
// previous run, which died while this stack was running (Terraform dies
// with tfrebuild). The lock is released only when it provably belongs to
// that run: we hold the run lock now, so that process is gone; the lock
// names its user and host; and it was taken after the stage started. Any
// other lock is reported with who holds it and how to release it.
func (r *run) releaseStaleLock(ctx context.Context, ts terraform.Stack, stageStart time.Time) error {
	b := ts.Backend
	info, err := r.session.StateLock(ctx, r.cfg.Target.AccountID, b.Bucket, b.Key, b.LockTable, b.UseLockfile)
	if err != nil || info == nil {
		return err
	}
	name := "stack." + ts.Name
	prev := r.previous
	ours := prev != nil && info.Who == prev.User+"@"+prev.Host && !info.Created.Before(stageStart.Add(-time.Second))
	if ours {
		if err := r.tf.ForceUnlock(ctx, ts, info.ID); err != nil {
			return fmt.Errorf("release the state lock left by run %s: %w", prev.RunID, err)
		}
		r.note(name, fmt.Sprintf("released the state lock left by this target's previous run (%s), which died: lock %s", prev, info))
		return nil
	}
	wd := r.tf.Workdir(ts.Name)
	return fmt.Errorf("the state %s is locked, %s. It is not this target's own crashed run, so tfrebuild leaves it. "+
		"If nobody is running Terraform on it, release it with:\n  cd %s && TF_DATA_DIR=%s terraform force-unlock -force %s\nthen run apply again",
		b.Key, info, ts.SourceDir, wd.DataDir(), info.ID)
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
