package terraform

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// Change is one resource change in a plan.
type Change struct {
	Address string `json:"address"`
	Action  string `json:"action"` // create, update, delete, replace, read
	// Attrs are the attributes it changes, values masked (see AttrChange).
	Attrs []AttrChange `json:"attributes,omitempty"`
	// ImportID is, for a resource to create, the ID that imports an
	// existing object of the same name (an orphan), when its type and
	// planned values tell it; tfrebuild adopts orphans with it.
	ImportID string `json:"-"`
}

// PlanResult is a read-only plan of one stack.
type PlanResult struct {
	Changes []Change
	// Outputs holds the outputs known at plan time; Unknown names those
	// only apply can tell.
	Outputs   map[string]cty.Value
	Unknown   map[string]bool
	Sensitive map[string]bool
	// Notes are facts the run should tell the user (see Result.Notes).
	Notes []string
}

// HasChanges reports whether applying the plan would change anything.
func (p *PlanResult) HasChanges() bool {
	for _, c := range p.Changes {
		if c.Action != "read" {
			return true
		}
	}
	return false
}

// wrapperModule is the name of the module call that wraps a stack planned
// against an empty state.
const wrapperModule = "stack"

// Plan makes a read-only plan: init, plan -lock=false to a file in the
// work folder, show -json. With s.Wrap it plans against an empty local
// state (a target whose backend does not exist yet): a root module in the
// work folder calls the stack's directory as a module, so that nothing is
// written to the source tree and relative module sources still resolve.
// Without it, it plans against the stack's real state, without locking.
func (r *Runner) Plan(ctx context.Context, s Stack) (*PlanResult, error) {
	h, done, err := r.ready(ctx, s)
	if err != nil {
		return nil, err
	}
	defer done()
	ui := newJSONUI(h.log, s.Name, s.Progress)
	args := planOptions{LockTimeout: "0s", VarFiles: varFiles(h), Out: h.wd.PlanFile(), Mode: planChanges, Locking: noStateLock}.args()
	err = r.command(ctx, h, "plan", ui, args)
	ui.flush()
	if errors.Is(err, errChanges) {
		err = nil
	}
	if err != nil {
		return nil, r.fail(h, "plan", err)
	}
	if err := r.prepare(ctx, h); err != nil {
		return nil, err
	}
	// show -json prints the plan with its sensitive values: not logged.
	var text bytes.Buffer
	show := func() error { return r.run(ctx, h, &text, []string{"show", "-json", "-no-color", h.wd.PlanFile()}) }
	if err := h.timed("show (output not logged: it holds the plan's values)", show); err != nil {
		return nil, r.fail(h, "show", err)
	}
	plan, err := decodePlan(text.Bytes())
	if err != nil {
		return nil, fmt.Errorf("stack %s: read its plan: %w", s.Name, err)
	}
	res, err := planResult(plan, h.wrapped)
	if err != nil {
		return nil, err
	}
	res.Notes = h.notes(s, engineTitle(r.Binary.Engine))
	h.takeTimings()
	return res, nil
}

func planResult(plan *tfjson.Plan, wrapped bool) (*PlanResult, error) {
	res := &PlanResult{Outputs: map[string]cty.Value{}, Unknown: map[string]bool{}, Sensitive: map[string]bool{}}
	for _, rc := range plan.ResourceChanges {
		if rc.Change == nil {
			continue
		}
		a := rc.Change.Actions
		action := ""
		switch {
		case a.Replace():
			action = "replace"
		case a.Create():
			action = "create"
		case a.Update():
			action = "update"
		case a.Delete():
			action = "delete"
		case a.Read():
			action = "read"
		default:
			continue
		}
		addr := rc.Address
		if wrapped {
			addr = strings.TrimPrefix(addr, "module."+wrapperModule+".")
		}
		c := Change{Address: addr, Action: action, Attrs: attrChanges(rc.Change)}
		if action == "create" || action == "replace" {
			c.ImportID = importID(rc.Type, rc.Change.After)
		}
		res.Changes = append(res.Changes, c)
	}
	sort.Slice(res.Changes, func(i, j int) bool { return res.Changes[i].Address < res.Changes[j].Address })
	for name, ch := range plan.OutputChanges {
		if unknown, ok := ch.AfterUnknown.(bool); ok && unknown {
			res.Unknown[name] = true
		}
	}
	if plan.PlannedValues != nil {
		for name, o := range plan.PlannedValues.Outputs {
			res.Sensitive[name] = o.Sensitive
			if res.Unknown[name] {
				continue
			}
			v, err := toCty(o.Value)
			if err != nil {
				return nil, fmt.Errorf("planned output %q: %w", name, err)
			}
			res.Outputs[name] = v
		}
	}
	return res, nil
}

func toCty(v any) (cty.Value, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return cty.NilVal, err
	}
	ty, err := ctyjson.ImpliedType(b)
	if err != nil {
		return cty.NilVal, err
	}
	return ctyjson.Unmarshal(b, ty)
}

// writeWrapper writes the root module that calls the stack as a module
// with an empty local state: one variable per input, one output per
// declared output.
func writeWrapper(dir string, s Stack, lock []byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	src, err := filepath.Rel(dir, s.SourceDir)
	if err != nil {
		return err
	}
	src = filepath.ToSlash(src)
	if !strings.HasPrefix(src, "../") && !strings.HasPrefix(src, "./") {
		src = "./" + src
	}
	call := map[string]any{"source": src}
	vars := map[string]any{}
	for name := range s.Vars {
		vars[name] = map[string]any{}
		call[name] = "${var." + name + "}"
	}
	outs := map[string]any{}
	for name, sensitive := range s.Outputs {
		outs[name] = map[string]any{"value": "${module." + wrapperModule + "." + name + "}", "sensitive": sensitive}
	}
	root := map[string]any{"module": map[string]any{wrapperModule: call}}
	if len(vars) > 0 {
		root["variable"] = vars
	}
	if len(outs) > 0 {
		root["output"] = outs
	}
	b, err := json.MarshalIndent(root, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFile(filepath.Join(dir, "main.tf.json"), b); err != nil {
		return err
	}
	// The stack's dependency lock file pins the same provider versions.
	if len(lock) > 0 {
		return writeFile(filepath.Join(dir, LockFileName), lock)
	}
	return nil
}

// Destroy plans the destruction of everything in the stack's state to a
// saved file and applies it. It reports whether anything was destroyed.
func (r *Runner) Destroy(ctx context.Context, s Stack) (bool, error) {
	h, done, err := r.ready(ctx, s)
	if err != nil {
		return false, err
	}
	defer done()
	return r.planAndApply(ctx, h, planDestroy)
}
