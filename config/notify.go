package config

import (
	"fmt"
	neturl "net/url"

	"github.com/hashicorp/hcl/v2"
)

// The events a notify block can subscribe to, and its formats.
var (
	NotifyEvents        = []string{"started", "stage_done", "failed", "waiting", "done", "readiness_failed", "drill_verdict"}
	DefaultNotifyEvents = []string{"failed", "waiting", "done", "readiness_failed", "drill_verdict"}
	NotifyFormats       = []string{"slack", "json"}
)

// Notify is a webhook the rebuild posts to.
type Notify struct {
	Name string
	// URL is the evaluated webhook URL. It is a secret (webhook URLs carry
	// their token): never log it, render it or put it in an error. String
	// and GoString redact it so that %v and %#v cannot leak it.
	URL    string
	On     []string // subset of NotifyEvents, in the order written
	Format string   // "json" (default) or "slack"
	Range  hcl.Range
}

// Wants reports whether the notification subscribes to event.
func (n *Notify) Wants(event string) bool { return contains(n.On, event) }

func (n Notify) String() string {
	return fmt.Sprintf("notify %q (%s, on %v, url redacted)", n.Name, n.Format, n.On)
}

// GoString keeps %#v from printing the URL.
func (n Notify) GoString() string { return n.String() }

func (p *parser) decodeNotify(b *hcl.Block) {
	a := p.content(b, []hcl.AttributeSchema{{Name: "url", Required: true}, {Name: "on"}, {Name: "format"}})
	n := &Notify{Name: b.Labels[0], Range: b.DefRange, Format: "json", On: append([]string(nil), DefaultNotifyEvents...)}
	off := false
	if v := a["url"]; v != nil {
		n.URL, off = p.notifyURL(n.Name, v)
	}
	if v := a["on"]; v != nil {
		n.On = p.notifyEvents(v)
	}
	if v := a["format"]; v != nil {
		n.Format = p.str(v)
		p.check(v, n.Format, oneOf(NotifyFormats...))
	}
	if !off {
		p.cfg.Notifications = append(p.cfg.Notifications, n)
	}
}

// notifyURL evaluates the url at load time. No message here may include
// the value: it is a secret, so problems are described, never quoted.
// off is true when the url is empty by choice (env("NAME", "") with NAME
// unset, say in CI): the notification is left out, with a warning.
func (p *parser) notifyURL(name string, a *hcl.Attribute) (url string, off bool) {
	rng := a.Expr.Range()
	if vars := a.Expr.Variables(); len(vars) > 0 {
		p.add(errorAt(vars[0].SourceRange(), "Invalid notify url",
			fmt.Sprintf("notify %q: url is evaluated before anything runs; use a string or env(\"NAME\"), not a reference.", name)))
		return "", false
	}
	v, ok := p.static(a.Expr)
	if !ok {
		return "", false
	}
	s, err := convertString(v)
	if err != nil {
		p.add(errorAt(rng, "Invalid notify url", fmt.Sprintf("notify %q: url must be a string (%v).", name, err)))
		return "", false
	}
	_, litErr := a.Expr.Value(nil)
	literal := !litErr.HasErrors()
	if s == "" && !literal {
		p.add(&hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Notification off",
			Detail: fmt.Sprintf("notify %q: url is empty, so this run sends no notification to it.", name), Subject: rng.Ptr()})
		return "", true
	}
	u, err := neturl.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		// err may quote the URL: do not pass it on.
		p.add(errorAt(rng, "Invalid notify url",
			fmt.Sprintf("notify %q: url is not an http(s) URL with a host (its value is not shown: it may be a secret).", name)))
		return "", false
	}
	if literal {
		p.add(&hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Webhook URL in the config",
			Detail:  fmt.Sprintf(`notify %q: a webhook URL carries its token; keep it out of version control with url = env("NAME").`, name),
			Subject: rng.Ptr()})
	}
	return s, false
}

func (p *parser) notifyEvents(a *hcl.Attribute) []string {
	exprs, diags := hcl.ExprList(a.Expr)
	if diags.HasErrors() {
		p.add(errorAt(a.Expr.Range(), "Invalid on", `on must be a list of events: on = ["failed", "waiting", "done"].`))
		return nil
	}
	out, bad := []string{}, false
	for _, e := range exprs {
		v, d := e.Value(literalContext)
		if d.HasErrors() {
			p.add(scrub(d)...)
			bad = true
			continue
		}
		ev, err := convertString(v)
		if err == nil {
			err = oneOf(NotifyEvents...)(ev)
		}
		if err != nil {
			p.add(errorAt(e.Range(), "Invalid notify event", err.Error()))
			bad = true
			continue
		}
		if !contains(out, ev) {
			out = append(out, ev)
		}
	}
	if len(out) == 0 && !bad {
		p.add(errorAt(a.Expr.Range(), "No notify events", "on is empty, so this notification would never be sent; list events or remove the block."))
	}
	return out
}
