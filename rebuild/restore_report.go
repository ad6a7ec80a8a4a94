package rebuild

import (
	"context"
	"fmt"
	"time"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/outcome"
	"github.com/tfrebuild/tfrebuild/restore"
	"github.com/tfrebuild/tfrebuild/stages"
)

// restore plans one restore, writing nothing. What stops the restore
// (no backup, a target it would refuse) is reported in the plan and in a
// note; the plan goes on with the other stages.
func (p *planner) restore(ctx context.Context, r *config.Restore) error {
	name := "restore." + r.Name
	rs, account, err := restorers(p.conn, p.cfg.Stack(r.Stack))
	if err != nil {
		return err
	}
	prior := p.doneRestores[r.Name]
	run, why, err := again(ctx, r, rs, account, prior != nil, p.rerun[r.Name])
	if err != nil {
		return err
	}
	if why != "" {
		p.note(name, why)
	}
	if !run {
		p.planDone(r, prior)
		return nil
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
	for _, u := range pl.Unchecked {
		notes = append(notes, "not checked: "+u)
	}
	rp := &outcome.RestorePlan{Plan: *pl, Expected: restore.Expected(pl, p.cfg.RPO, time.Now(), p.incident())}
	detail := "from " + pl.Source + "; expected " + outcome.DescribeRPO(rp.Expected)
	if pl.Problem != "" {
		detail = pl.Problem
	}
	p.mu.Lock()
	ps := p.stage(name)
	ps.Restore = rp
	ps.Actions = append(ps.Actions, outcome.PlanAction{Address: string(pl.Kind) + " " + pl.Target, Action: string(pl.Action), Detail: detail})
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

// planDone reports a restore done on record that does not run again: its
// earlier result, nothing pending.
func (p *planner) planDone(r *config.Restore, prior *checkpoint.Restore) {
	res := prior.Result
	pl := restore.Plan{Kind: res.Kind, Target: res.Target, From: res.From, Source: res.Source, RecoveryPoint: res.RecoveryPoint,
		BackupARN: res.BackupARN, TargetExists: true, TargetHasData: true, TargetStatus: "done on record: not run again", Action: restore.ActionDone}
	rp := &outcome.RestorePlan{Plan: pl, Expected: prior.RPO}
	p.mu.Lock()
	defer p.mu.Unlock()
	ps := p.stage("restore." + r.Name)
	ps.Restore = rp
	ps.Actions = append(ps.Actions, outcome.PlanAction{Address: string(pl.Kind) + " " + pl.Target, Action: string(pl.Action),
		Detail: fmt.Sprintf("%s from %s at %s; %s", res.Outcome, res.Source, res.RestoredAt.UTC().Format(time.RFC3339), outcome.DescribeRPO(prior.RPO))})
	ps.Counts[string(pl.Action)]++
}

// doneRestores reads the stored checkpoint, read-only, for the restores
// it has done (plan applies apply's once-per-rebuild rule to them) and,
// for a rebuild in progress, its incident time.
func doneRestores(ctx context.Context, cfg *config.Config, deps Deps) (map[string]*checkpoint.Restore, *time.Time, error) {
	out := map[string]*checkpoint.Restore{}
	if len(cfg.Restores) == 0 {
		return out, nil, nil
	}
	store, err := deps.Store(ctx, cfg, false)
	if err != nil || store == nil {
		return out, nil, err
	}
	c, err := store.Load(ctx)
	if err != nil || c == nil {
		return out, nil, err
	}
	if t := cfg.Target; c.Account != t.AccountID || c.Region != t.Region || (c.Project != "" && c.Project != cfg.Project) {
		return out, nil, nil
	}
	for _, r := range cfg.Restores {
		if rec := c.Lookup("restore." + r.Name); rec != nil && rec.Status == stages.Done && rec.Restore != nil {
			out[r.Name] = rec.RestoreCopy()
		}
	}
	var incident *time.Time
	if inProgress(cfg, c) {
		t := incidentOf(c)
		incident = &t
	}
	return out, incident, nil
}

// incident is the incident time a plan measures against: --incident-at,
// else that of the rebuild in progress on record, else now (a rebuild
// started now).
func (p *planner) incident() time.Time {
	switch {
	case !p.opts.IncidentAt.IsZero():
		return p.opts.IncidentAt
	case p.incidentOnRecord != nil:
		return *p.incidentOnRecord
	}
	return time.Now()
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
