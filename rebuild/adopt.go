package rebuild

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/terraform"
)

// A run that dies with its machine mid-create leaves objects Terraform
// created but never saved in the state (orphans): the resume's create
// then fails with "already exists". An orphan is adopted (imported into
// the stack's state, then the apply runs again) automatically only when
// it is provably this target's: its create was recorded as started by an
// earlier attempt of this rebuild that did not finish the stack
// (StageRecord.Creating). Any other is reported with the command that adopts it
// (apply --adopt STACK:ADDRESS=ID), run by a person who has checked it.

// Adoption is one object to import into a stack's state before the stack
// is applied: --adopt STACK:ADDRESS=ID.
type Adoption struct {
	Stack, Address, ID string
}

// String is the flag's value: "STACK:ADDRESS=ID".
func (d Adoption) String() string { return d.Stack + ":" + d.Address + "=" + d.ID }

func checkAdoptions(cfg *config.Config, list []Adoption) ([]Adoption, error) {
	for _, d := range list {
		if cfg.Stack(d.Stack) == nil {
			return nil, fmt.Errorf("--adopt %s: there is no stack %q in %s", d, d.Stack, cfg.Filename)
		}
	}
	return list, nil
}

// noteCreating keeps in the checkpoint the resources whose create an
// attempt started (saved behind the run, never waited for). A create
// Terraform saw complete stays on the list until the stack is done:
// Terraform saves its state at the end, so a machine lost after the
// create leaves the object outside the state. An errored create leaves
// it: the provider refused (an object of that name that exists already
// is not this create's), and what it made it saves as tainted.
func (a *applier) noteCreating(stage string, e terraform.ResourceEvent) {
	if e.Address == "" || (e.Action != "create" && e.Action != "replace") {
		return
	}
	a.mu.Lock()
	rec := a.ckpt.Stage(stage)
	i := slices.Index(rec.Creating, e.Address)
	switch {
	case e.Phase == terraform.PhaseStarted && i < 0:
		rec.Creating = append(rec.Creating, e.Address)
	case e.Phase == terraform.PhaseErrored && i >= 0:
		rec.Creating = slices.Delete(rec.Creating, i, i+1)
	default:
		a.mu.Unlock()
		return
	}
	a.mu.Unlock()
	if a.behind != nil {
		a.behind.Ask(stage)
	}
}

// adoptAsked imports what --adopt names for this stack, unless its state
// holds the address already.
func (a *applier) adoptAsked(ctx context.Context, st *config.Stack, ts terraform.Stack) error {
	for _, d := range a.adoptions {
		if d.Stack != st.Name {
			continue
		}
		if held, err := a.stateHolds(ctx, ts, d.Address); err != nil || held {
			if held {
				a.note("stack."+st.Name, "--adopt "+d.String()+": the state holds "+d.Address+" already; nothing to import")
			}
			continue
		}
		if err := a.tf.Import(ctx, ts, d.Address, d.ID); err != nil {
			return fmt.Errorf("adopt %s into stack %s: %w", d.Address, st.Name, err)
		}
		a.note("stack."+st.Name, fmt.Sprintf("adopted %s (id %s) into the state, as --adopt asked", d.Address, d.ID))
	}
	return nil
}

// adoptOrphans handles an apply that failed on objects that exist
// already: those provably this target's are imported and the apply runs
// again (a resource that depends on an orphan meets its own orphan only
// then, so this repeats while it adopts something); the others are
// reported with the command that adopts them.
func (a *applier) adoptOrphans(ctx context.Context, st *config.Stack, ts terraform.Stack, creating []string, applyErr error) (*terraform.Result, error) {
	for range maxAdoptRounds {
		adopted, err := a.adoptRound(ctx, st, ts, creating, applyErr)
		if err != nil || adopted == 0 {
			return nil, err
		}
		res, err := a.tf.Apply(ctx, ts)
		if err == nil {
			return res, nil
		}
		applyErr = err
	}
	return nil, applyErr
}

// maxAdoptRounds bounds the applies a chain of orphans may take.
const maxAdoptRounds = 8

// adoptRound adopts the orphans of one failed apply that are provably
// this target's; it returns the error to report when any is not, or when
// there is none.
func (a *applier) adoptRound(ctx context.Context, st *config.Stack, ts terraform.Stack, creating []string, applyErr error) (int, error) {
	orphans := terraform.Orphans(applyErr)
	if len(orphans) == 0 {
		return 0, applyErr
	}
	name := "stack." + st.Name
	plan, err := a.tf.Plan(ctx, ts)
	if err != nil {
		return 0, fmt.Errorf("%w\nfind the import IDs of the objects that exist already: %v", applyErr, err)
	}
	var theirs []string
	adopted := 0
	for _, o := range orphans {
		id := importIDOf(plan, o.Address)
		if id == "" || !slices.Contains(creating, o.Address) {
			theirs = append(theirs, orphanAdvice(a, st, o, id))
			continue
		}
		if err := a.tf.Import(ctx, ts, o.Address, id); err != nil {
			return 0, fmt.Errorf("%w\nadopt %s (id %s), whose create a run of this rebuild started: %v", applyErr, o.Address, id, err)
		}
		a.note(name, fmt.Sprintf("adopted %s (id %s): a run of this rebuild started creating it and died before the state recorded it", o.Address, id))
		adopted++
	}
	if len(theirs) > 0 {
		return 0, fmt.Errorf("%w\n%s", applyErr, strings.Join(theirs, "\n"))
	}
	return adopted, nil
}

// creating is what the checkpoint says the stack's attempts so far
// started creating.
func (a *applier) creating(stage string) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.ckpt.Stage(stage).Creating)
}

func importIDOf(plan *terraform.PlanResult, address string) string {
	for _, c := range plan.Changes {
		if c.Address == address {
			return c.ImportID
		}
	}
	return ""
}

// orphanAdvice says why an object that exists is not adopted, and how to
// adopt it once a person has checked it is this stack's.
func orphanAdvice(a *applier, st *config.Stack, o terraform.Orphan, id string) string {
	head := fmt.Sprintf("%s exists already outside the state of stack %s, and nothing on record says this target created it, so tfrebuild does not take it over.", o.Address, st.Name)
	if id == "" {
		return head + " Find its import ID (the provider's docs for its type), check it is this stack's, then adopt it and continue with:\n  " +
			adoptCommand(a, Adoption{Stack: st.Name, Address: o.Address, ID: "ID"})
	}
	return head + " If it is this stack's (check it first), adopt it and continue with:\n  " +
		adoptCommand(a, Adoption{Stack: st.Name, Address: o.Address, ID: id}) +
		"\nor, if it is someone else's, rename what the stack creates."
}

func adoptCommand(a *applier, d Adoption) string {
	return ApplyCommand(a.cfg.Filename, a.opts.scope(), "--adopt", d.String())
}
