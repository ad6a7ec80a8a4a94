package events

import (
	"encoding/json"
	"sort"
	"strings"
	"sync"
)

// Redacted replaces a known secret in an event.
const Redacted = "[redacted]"

// MinSecretLen is the shortest value a Redactor redacts. Shorter values
// ("1", "true", "us") occur in ordinary text everywhere, so redacting them
// would garble every event while hiding nothing a reader could not guess.
const MinSecretLen = 4

// Redactor removes known secret values from strings and events. The zero
// value redacts nothing until secrets are added; it is safe for
// concurrent use.
type Redactor struct {
	mu       sync.RWMutex
	secrets  map[string]bool
	replacer *strings.Replacer
}

// NewRedactor returns a redactor that knows the given secrets.
func NewRedactor(secrets ...string) *Redactor {
	r := &Redactor{}
	r.Add(secrets...)
	return r
}

// Add teaches the redactor more secrets. Values shorter than MinSecretLen
// are ignored. Each secret is also redacted in its JSON-escaped form, the
// way it appears when an error quotes a JSON document.
func (r *Redactor) Add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	changed := false
	for _, s := range secrets {
		for _, form := range secretForms(s) {
			if len(form) < MinSecretLen || r.secrets[form] {
				continue
			}
			if r.secrets == nil {
				r.secrets = map[string]bool{}
			}
			r.secrets[form] = true
			changed = true
		}
	}
	if changed {
		r.replacer = buildReplacer(r.secrets)
	}
}

// secretForms is the value itself and, when it differs, its JSON string
// escaping without the quotes.
func secretForms(s string) []string {
	forms := []string{s}
	if b, err := json.Marshal(s); err == nil {
		if esc := string(b[1 : len(b)-1]); esc != s {
			forms = append(forms, esc)
		}
	}
	return forms
}

// buildReplacer orders the secrets longest first: strings.Replacer tries
// its pairs in argument order at each position, so a secret that contains
// another is replaced whole.
func buildReplacer(secrets map[string]bool) *strings.Replacer {
	list := make([]string, 0, len(secrets))
	for s := range secrets {
		list = append(list, s)
	}
	sort.Slice(list, func(i, j int) bool {
		if len(list[i]) != len(list[j]) {
			return len(list[i]) > len(list[j])
		}
		return list[i] < list[j]
	})
	pairs := make([]string, 0, 2*len(list))
	for _, s := range list {
		pairs = append(pairs, s, Redacted)
	}
	return strings.NewReplacer(pairs...)
}

// String returns s with every known secret replaced by Redacted.
func (r *Redactor) String(s string) string {
	if r == nil || s == "" {
		return s
	}
	r.mu.RLock()
	rep := r.replacer
	r.mu.RUnlock()
	if rep == nil {
		return s
	}
	return rep.Replace(s)
}

// Event returns a copy of e with every string field redacted. The
// pointers and slices it carries are copied, never changed in place: the
// caller's event stays as it was.
func (r *Redactor) Event(e Event) Event {
	if r == nil {
		return e
	}
	r.mu.RLock()
	empty := r.replacer == nil
	r.mu.RUnlock()
	if empty {
		return e
	}
	s := r.String
	e.RunID, e.Project, e.Mode, e.Stage = s(e.RunID), s(e.Project), s(e.Mode), s(e.Stage)
	e.Type, e.Outcome = Type(s(string(e.Type))), Outcome(s(string(e.Outcome)))
	e.Message, e.Error, e.Confirm = s(e.Message), s(e.Error), s(e.Confirm)
	if e.Resource != nil {
		res := *e.Resource
		res.Address, res.Action, res.Phase = s(res.Address), s(res.Action), s(res.Phase)
		e.Resource = &res
	}
	if e.RTO != nil {
		rto := *e.RTO
		e.RTO = &rto
	}
	if e.CriticalPath != nil {
		cp := *e.CriticalPath
		cp.Stages = append([]PathStage(nil), cp.Stages...)
		for i := range cp.Stages {
			cp.Stages[i].Stage = s(cp.Stages[i].Stage)
		}
		cp.Slack = append([]StageSlack(nil), cp.Slack...)
		for i := range cp.Slack {
			cp.Slack[i].Stage = s(cp.Slack[i].Stage)
		}
		e.CriticalPath = &cp
	}
	if e.Rebuild != nil {
		rb := *e.Rebuild
		rb.RunID = s(rb.RunID)
		e.Rebuild = &rb
	}
	if e.Verdict != nil {
		v := *e.Verdict
		v.Reason = s(v.Reason)
		v.Restores = append([]RestoreRPO(nil), v.Restores...)
		for i := range v.Restores {
			v.Restores[i].Stage = s(v.Restores[i].Stage)
		}
		e.Verdict = &v
	}
	if e.Changes != nil {
		e.Changes = append([]Change(nil), e.Changes...)
		for i := range e.Changes {
			e.Changes[i].Address, e.Changes[i].Action = s(e.Changes[i].Address), s(e.Changes[i].Action)
		}
	}
	return e
}
