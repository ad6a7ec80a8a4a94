package rebuild

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/restore"
)

// RestorePlan is what plan found for one restore: the library's plan
// (source, recovery point, target, action) and the data age it would
// have if it ran now, against the RPO.
type RestorePlan struct {
	restore.Plan
	Expected restore.RPO `json:"expected_rpo"`
}

// restore plans one restore, writing nothing. What stops the restore
// (no backup, a target it would refuse) is reported in the plan and in a
// note; the plan goes on with the other stages.
func (p *planner) restore(ctx context.Context, r *config.Restore) error {
	name := "restore." + r.Name
	rs, account, err := restorers(p.conn, p.cfg.Stack(r.Stack))
	if err != nil {
		return err
	}
	var pl *restore.Plan
	if r.Kind == config.RestoreDynamoDB {
		pl, err = rs.Tables(r.SourceRegion, nil).Plan(ctx, tableOptions(r, false))
	} else {
		pl, err = rs.Buckets(r.SourceRegion, nil).Plan(ctx, bucketOptions(r, account, false))
	}
	if err != nil {
		return err
	}
	var notes []string
	if r.Kind == config.RestoreS3 && !pl.TargetExists && p.stackCreates(r) {
		// Not a problem: the restore runs after the stack that creates it.
		pl.Problem = ""
		notes = append(notes, fmt.Sprintf("bucket %s does not exist yet: stack.%s creates it (%s), then the restore runs", r.S3Bucket, r.Stack, r.Address))
	}
	if r.BeforeStack() && pl.Action != restore.ActionDone {
		notes = append(notes, fmt.Sprintf("apply imports the table into stack.%s's state as %s before the stack runs; "+
			"a plan of the stack made before that shows it as created", r.Stack, r.Address))
	}
	rp := &RestorePlan{Plan: *pl, Expected: restore.Expected(pl, p.cfg.RPO, time.Now())}
	detail := "from " + pl.Source + "; expected " + DescribeRPO(rp.Expected)
	if pl.Problem != "" {
		detail = pl.Problem
	}
	p.mu.Lock()
	ps := p.stage(name)
	ps.Restore = rp
	ps.Actions = append(ps.Actions, PlanAction{Address: string(pl.Kind) + " " + pl.Target, Action: string(pl.Action), Detail: detail})
	ps.Counts[string(pl.Action)]++
	p.mu.Unlock()
	for _, n := range notes {
		p.note(name, n)
	}
	if pl.Problem != "" {
		p.note(name, "problem: "+pl.Problem)
	}
	return nil
}

// stackCreates reports whether the restore's stack, as planned, creates
// the restore's resource.
func (p *planner) stackCreates(r *config.Restore) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, a := range p.stage("stack." + r.Stack).Actions {
		if a.Address == r.Address && (a.Action == "create" || a.Action == "replace") {
			return true
		}
	}
	return false
}

// CheckAcceptExisting checks the names given to --accept-existing against
// the config's restore blocks: commands call it before anything runs (a
// drill would otherwise tear down after an apply refused them).
func CheckAcceptExisting(cfg *config.Config, names []string) error {
	_, err := acceptList(cfg, names)
	return err
}

// acceptList checks the names given to --accept-existing: each names a
// restore block, or the table or bucket it brings back. It returns the
// restores accepted, by block name.
func acceptList(cfg *config.Config, names []string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, n := range names {
		found := false
		for _, r := range cfg.Restores {
			if r.Name == n || r.Resource() == n {
				out[r.Name], found = true, true
			}
		}
		if !found {
			var known []string
			for _, r := range cfg.Restores {
				known = append(known, fmt.Sprintf("%s (%s)", r.Name, r.Resource()))
			}
			if len(known) == 0 {
				known = []string{"none"}
			}
			return nil, fmt.Errorf("--accept-existing %s: no restore block of %s restores that; restores: %s",
				n, cfg.Filename, strings.Join(known, ", "))
		}
	}
	return out, nil
}

// OverRPO describes the restores of the run whose data is older than the
// RPO, or of unknown age: a failure in a drill.
func (s *Summary) OverRPO() []string {
	var out []string
	for _, st := range s.Stages {
		if st.Restore != nil && !st.Restore.RPO.RPOMet {
			out = append(out, st.Name+": "+DescribeRPO(st.Restore.RPO))
		}
	}
	slices.Sort(out)
	return out
}

// restoresOf names the restore stages whose data went with the destroyed
// stacks: the checkpoint forgets them with their stacks.
func restoresOf(cfg *config.Config, destroyed map[string]bool) []string {
	var out []string
	for _, r := range cfg.Restores {
		if destroyed["stack."+r.Stack] {
			out = append(out, "restore."+r.Name)
		}
	}
	return out
}

// restoreRecord is a copy of a stage's restore record, nil when none.
func restoreRecord(rec *checkpoint.StageRecord) *checkpoint.Restore {
	if rec == nil || rec.Restore == nil {
		return nil
	}
	r := *rec.Restore
	return &r
}
