package terraform

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
)

// AttrChange is one attribute of a resource that a plan changes, as the
// plan shows it to a person: sensitive values are masked, values known
// only after apply say so. Before is "" for an attribute being added,
// After "" for one being removed.
type AttrChange struct {
	Path   string `json:"path"`
	Before string `json:"before,omitempty"`
	After  string `json:"after,omitempty"`
	// ForcesReplacement marks an attribute whose change replaces the
	// resource.
	ForcesReplacement bool `json:"forces_replacement,omitempty"`
}

const (
	// SensitiveText stands for a sensitive value in a plan diff.
	SensitiveText = "(sensitive value)"
	// UnknownText stands for a value known only after apply.
	UnknownText = "(known after apply)"
)

// leaf is one flattened value: raw decides whether it changed (a masked
// value still compares by its real content), shown is what a person sees.
type leaf struct{ raw, shown string }

// attrChanges is the attribute-level diff of one resource change, in path
// order. A deleted resource lists none: it goes as a whole.
func attrChanges(c *tfjson.Change) []AttrChange {
	if c == nil || c.Actions.Delete() || c.Actions.NoOp() || c.Actions.Read() {
		return nil
	}
	before, after := map[string]leaf{}, map[string]leaf{}
	flatten("", c.Before, c.BeforeSensitive, nil, before)
	flatten("", c.After, c.AfterSensitive, c.AfterUnknown, after)
	collapseUnknown(before, after)
	forces := map[string]bool{}
	for _, p := range c.ReplacePaths {
		forces[replacePath(p)] = true
	}
	var out []AttrChange
	for _, path := range slices.Sorted(maps.Keys(union(before, after))) {
		b, bok := before[path]
		a, aok := after[path]
		if bok && aok && b.raw == a.raw && a.shown != UnknownText {
			continue
		}
		out = append(out, AttrChange{Path: path, Before: b.shown, After: a.shown, ForcesReplacement: forcedBy(forces, path)})
	}
	return out
}

// collapseUnknown folds the old attributes under a value that is known
// only after apply into one line, as Terraform shows "x = {...} -> (known
// after apply)": a value being recomputed is not listed piece by piece.
func collapseUnknown(before, after map[string]leaf) {
	for path, a := range after {
		if a.shown != UnknownText || path == "" {
			continue
		}
		for b := range before {
			if strings.HasPrefix(b, path+".") || strings.HasPrefix(b, path+"[") {
				delete(before, b)
				before[path] = leaf{raw: "\x00collapsed", shown: "{…}"}
			}
		}
	}
}

func union(a, b map[string]leaf) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// flatten walks a value with its sensitivity and unknown masks (the same
// shape, true where the subtree is sensitive or unknown) into path → leaf.
// Null values are left out, as Terraform's own plan leaves them out.
func flatten(path string, v, sens, unknown any, out map[string]leaf) {
	if isTrue(unknown) {
		out[path] = leaf{raw: "\x00unknown", shown: UnknownText}
		return
	}
	if isTrue(sens) {
		b, _ := json.Marshal(v)
		out[path] = leaf{raw: string(b), shown: SensitiveText}
		return
	}
	switch x := v.(type) {
	case nil:
	case map[string]any:
		if len(x) == 0 && path != "" {
			out[path] = leaf{raw: "{}", shown: "{}"}
		}
		for k, e := range x {
			flatten(join(path, k), e, child(sens, k), child(unknown, k), out)
		}
		if um, ok := unknown.(map[string]any); ok {
			for k, u := range um {
				if _, seen := x[k]; !seen && isTrue(u) {
					out[join(path, k)] = leaf{raw: "\x00unknown", shown: UnknownText}
				}
			}
		}
	case []any:
		if len(x) == 0 && path != "" {
			out[path] = leaf{raw: "[]", shown: "[]"}
		}
		for i, e := range x {
			flatten(fmt.Sprintf("%s[%d]", path, i), e, index(sens, i), index(unknown, i), out)
		}
	default:
		b, _ := json.Marshal(x)
		out[path] = leaf{raw: string(b), shown: string(b)}
	}
}

func isTrue(m any) bool { b, ok := m.(bool); return ok && b }

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func child(m any, k string) any {
	if mm, ok := m.(map[string]any); ok {
		return mm[k]
	}
	return m // a bool covers the whole subtree
}

func index(m any, i int) any {
	if l, ok := m.([]any); ok {
		if i < len(l) {
			return l[i]
		}
		return nil
	}
	return m
}

// replacePath turns a plan's replace path (["ingress", 0, "port"]) into
// the flattened form ("ingress[0].port").
func replacePath(p any) string {
	steps, ok := p.([]any)
	if !ok {
		return fmt.Sprint(p)
	}
	var b strings.Builder
	for _, s := range steps {
		switch x := s.(type) {
		case float64:
			fmt.Fprintf(&b, "[%d]", int(x))
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			fmt.Fprint(&b, x)
		}
	}
	return b.String()
}

func forcedBy(forces map[string]bool, path string) bool {
	for f := range forces {
		if path == f || strings.HasPrefix(path, f+".") || strings.HasPrefix(path, f+"[") {
			return true
		}
	}
	return false
}
