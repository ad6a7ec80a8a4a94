package bootstrap

import (
	"context"
	"fmt"
	"strings"
	"sync"
)

// Action is what bootstrap does, or would do, to one setting.
type Action string

const (
	Create Action = "create" // the resource does not exist
	Update Action = "update" // a setting is applied to a resource tfrebuild manages
	Drift  Action = "drift"  // a setting differs on a resource tfrebuild does not change unasked
	Delete Action = "delete" // destroy --all removes the resource
	Keep   Action = "keep"   // destroy --all leaves a resource it did not create
)

// Change is one difference between the target and the hardened settings.
type Change struct {
	Resource string // e.g. s3://bucket, dynamodb:table, ecr:repo
	Action   Action
	Detail   string
	// Applied is false in read-only mode and for drift left alone.
	Applied bool
}

func (c Change) String() string {
	verb := map[Action]string{Create: "create", Update: "update", Drift: "drift", Delete: "delete", Keep: "keep"}[c.Action]
	if !c.Applied && (c.Action == Create || c.Action == Update || c.Action == Delete) {
		verb = "would " + verb
	}
	return fmt.Sprintf("%s %s: %s", verb, c.Resource, c.Detail)
}

// Report lists what one bootstrap step found and did.
type Report struct {
	Changes []Change
	// Later, when set, checks what the step left for later (Options.
	// DriftLater): the hardened settings of a resource it neither creates
	// nor fixes this run. It only reads, and reports drift.
	Later func(context.Context) (*Report, error)
}

func (r *Report) add(c Change) { r.Changes = append(r.Changes, c) }

func (r *Report) String() string {
	var lines []string
	for _, c := range r.Changes {
		lines = append(lines, c.String())
	}
	return strings.Join(lines, "\n")
}

// Options steer a bootstrap step.
type Options struct {
	// DryRun reads and reports; it makes no write call.
	DryRun bool
	// Repair applies the hardened settings to an existing resource whose
	// settings have drifted (apply --repair-state).
	Repair bool
	// Converge applies the hardened settings to a resource tfrebuild tagged
	// as its own for this project: a bootstrap that was interrupted before
	// it finished.
	Converge bool
	// DriftLater, without Repair or Converge, makes the step prove only
	// what the stacks need before they run (the bucket exists and is the
	// account's; the lock table exists with Terraform's key): the bucket's
	// region (proved when the stage was done; a bucket cannot move) and the
	// hardened settings, which it would report and not fix, are checked by
	// the Report's Later, off the rebuild's critical path. A resume of a
	// rebuild whose state stage was done uses it.
	DriftLater bool
	Project    string
	// Target names the target a run works for (TargetID): it is tagged on
	// what the run creates, and only what carries it is this target's own,
	// to converge or to delete.
	Target string
	Tags   map[string]string
	// PullAccounts lists, by repository name, the account IDs allowed to
	// pull from it (the workload accounts of a registry kept in another
	// account). The registry's own account is left out: it needs no grant.
	PullAccounts map[string][]string
	// BeforeCreate, when set, is called with the resource ("s3://bucket",
	// "ecr:name") just before its create call, which does not happen when
	// it fails. For the bucket the caller records the intent, so that a
	// run that dies between the create and the tagging and hardening
	// leaves a resource the next run knows as its own (Intended); a
	// resume's registries wait there for the proof of the run lease.
	BeforeCreate func(resource string) error
	// Intended: this target recorded the intent to create the bucket and
	// did not see its creation finish; an existing bucket without this
	// target's tags is its own, to tag and harden.
	Intended bool
	// TableProved: a write keyed by LockID alone has just succeeded in
	// the lock table (the run lease), so the table exists, takes writes
	// and has Terraform's key. With DriftLater, EnsureLockTable then
	// leaves its whole description and settings to the Report's Later.
	TableProved bool
	// Proved, when set, is called once by EnsureBucket when the bucket is
	// proved the account's, or absent, and before it writes anything:
	// what does not need the bucket (the lock table) may start then, and
	// a foreign bucket still stops the run before any write.
	Proved func()
}

func (o Options) proved() {
	if o.Proved != nil {
		o.Proved()
	}
}

// Tag keys tfrebuild sets on what it creates.
const (
	TagManagedBy = "tfrebuild:managed-by"
	TagProject   = "tfrebuild:project"
	// TagTarget names the target that created a resource: account,
	// region, project and config ("123456789012/eu-west-2/api/rebuild.hcl").
	TagTarget = "tfrebuild:target"
)

func (o Options) tags() map[string]string {
	out := map[string]string{}
	for k, v := range o.Tags {
		out[k] = v
	}
	out[TagManagedBy] = "tfrebuild"
	if o.Project != "" {
		out[TagProject] = o.Project
	}
	if o.Target != "" {
		out[TagTarget] = o.Target
	}
	return out
}

// ours reports whether tags mark a resource as created by this target.
// The project alone is not enough: production and its DR config share a
// project, and the registries in a management account.
func (o Options) ours(tags map[string]string) bool {
	return o.Target != "" && tags[TagManagedBy] == "tfrebuild" && tags[TagTarget] == o.Target
}

// whyKept says why a teardown keeps a resource whose tags are not this
// target's.
func (o Options) whyKept(tags map[string]string) string {
	switch t := tags[TagTarget]; {
	case tags[TagManagedBy] == "tfrebuild" && t != "":
		return "created by target " + t + "; this target (" + o.Target + ") only uses it, so it is kept"
	case tags[TagManagedBy] == "tfrebuild":
		return "tagged for project " + tags[TagProject] + " by a tfrebuild that did not record which target created it, so it is kept; " +
			"delete it by hand if it is this target's"
	}
	return "not created by tfrebuild; this target only uses it, so it is kept"
}

// checked is what one setting's check found.
type checked struct {
	ok     bool
	detail string
	err    error
}

// later is the Report.Later of one resource: its settings checked, drift
// reported, nothing fixed.
func later(res string, settings []setting, dryRun bool) func(context.Context) (*Report, error) {
	return func(ctx context.Context) (*Report, error) {
		rep := &Report{}
		err := fixAll(ctx, rep, res, settings, checkAll(ctx, settings), false, false, dryRun, nil)
		return rep, err
	}
}

// deferDrift reports whether a step leaves the settings of a resource that
// exists for later.
func (o Options) deferDrift() bool { return o.DriftLater && !o.Repair && !o.Converge }

// checkAll runs every setting's check at once and returns the results in
// the settings' order. Checks are reads, and independent: no fix feeds a
// later check (settings read live state, or a description taken before any
// fix, as they did when each check followed the fix before it). On a
// resumed rebuild these round trips are the whole state stage. A failed
// check cancels none of the others, so that the error reported is still
// the first in settings order. Settings lists are short (≤ 8), hence no cap.
func checkAll(ctx context.Context, settings []setting) []checked {
	out := make([]checked, len(settings))
	var wg sync.WaitGroup
	for i, set := range settings {
		wg.Go(func() {
			c := &out[i]
			c.ok, c.detail, c.err = set.check(ctx)
		})
	}
	wg.Wait()
	return out
}

// converge checks each setting of one resource and, where apply is true,
// fixes what differs (unless dry-running); otherwise it reports drift.
// after runs once after each fix (a table waits to be ACTIVE again).
// The checks run first, all at once; the fixes then run one by one.
func converge(ctx context.Context, rep *Report, res string, settings []setting, apply, created, dryRun bool, after func(context.Context) error) error {
	return fixAll(ctx, rep, res, settings, checkAll(ctx, settings), apply, created, dryRun, after)
}

// fixAll walks the settings in order with their checks' results, fixing or
// reporting each as converge describes. A failed check stops the walk where
// it stands: the settings before it are fixed and reported, those after it
// are not, as when each check ran just before its own fix.
func fixAll(ctx context.Context, rep *Report, res string, settings []setting, checks []checked, apply, created, dryRun bool, after func(context.Context) error) error {
	for i, set := range settings {
		ok, detail, err := checks[i].ok, checks[i].detail, checks[i].err
		if err != nil {
			return fmt.Errorf("%s: read %s: %w", res, set.name, err)
		}
		if ok {
			continue
		}
		c := Change{Resource: res, Action: Drift, Detail: set.name + ": " + detail}
		if apply && set.fix != nil {
			c.Action = Update
			if created {
				c.Detail = set.name
			}
			if !dryRun {
				if err := set.fix(ctx); err != nil {
					return fmt.Errorf("%s: set %s: %w", res, set.name, err)
				}
				if after != nil {
					if err := after(ctx); err != nil {
						return err
					}
				}
				c.Applied = true
			}
		}
		rep.add(c)
	}
	return nil
}
