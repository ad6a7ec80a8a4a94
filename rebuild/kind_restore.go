package rebuild

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/outcome"
	"github.com/tfrebuild/tfrebuild/restore"
	"github.com/tfrebuild/tfrebuild/stages"
	"github.com/tfrebuild/tfrebuild/terraform"
)

// restoreKind brings data back (stage restore.NAME): a DynamoDB table
// as soon as preflight has passed (importKind then adopts it into its
// stack's state); the objects of an S3 bucket after its stack has created
// the bucket. Plan reports what it would do; destroy never
// holds one (the data goes with the stack that owns it).
type restoreKind struct{}

func (restoreKind) apply(ctx context.Context, a *applier, s *stages.Stage) error {
	return a.restore(ctx, a.cfg.Restore(s.Target))
}

func (restoreKind) plan(ctx context.Context, p *planner, s *stages.Stage) error {
	return p.restore(ctx, p.cfg.Restore(s.Target))
}

func (restoreKind) destroy(_ context.Context, _ *destroyer, s *stages.Stage) error {
	return notInTeardown(s)
}

func (a *applier) restore(ctx context.Context, r *config.Restore) error {
	name := "restore." + r.Name
	a.clearNotes(name)
	// A target accepted once stays accepted (until destroy forgets it), or
	// every later apply would refuse the table it imported. The earlier
	// attempt's result, which says so, stays on record until this one has
	// its own: a run killed during the restore must still find it.
	a.mu.Lock()
	rec := a.ckpt.Stage(name)
	wasAccepted := rec.Restore != nil && rec.Restore.Result.Outcome == restore.Accepted
	accept := a.accept[r.Name] || wasAccepted
	done := a.builtBefore[name] && rec.Restore != nil // once per rebuild, and not again on a later one
	a.mu.Unlock()
	rs, account, err := restorers(a.conn, a.cfg.Stack(r.Stack))
	if err != nil {
		return err
	}
	if run, why, err := again(ctx, r, rs, account, done, a.rerun[r.Name]); err != nil || !run {
		if why != "" {
			a.note(name, why)
		}
		if err == nil {
			a.keepMismatch(r, rec.Restore)
		}
		return err // not run: the earlier result stays on record
	} else if why != "" {
		a.note(name, why)
	}
	a.flush() // the restore writes: its running record is saved first
	a.mu.Lock()
	a.restoredInto[r.Stack] = true
	a.mu.Unlock()
	// Data first: a table restore may start before the state stage; the
	// lease is taken here when the backend exists already (a resume).
	if err := a.holdLease(ctx, name, false); err != nil {
		return err
	}
	if err := a.verifyLease(ctx); err != nil {
		return err
	}
	note := func(msg string) { a.note(name, msg) }
	var res *restore.Result
	if r.Kind == config.RestoreDynamoDB {
		res, err = rs.Tables(r.SourceRegion, note).Restore(ctx, tableOptions(r, accept))
	} else {
		res, err = rs.Buckets(r.SourceRegion, note).Restore(ctx, bucketOptions(r, account, accept))
	}
	if res != nil {
		// Recorded even when some S3 writes failed: it says what was done.
		a.recordRestore(name, res)
	} else if !wasAccepted {
		a.mu.Lock()
		a.ckpt.Stage(name).Restore = nil // an earlier attempt's result is not this one's
		a.mu.Unlock()
	}
	if st := a.cfg.Stack(r.Stack); err != nil && st != nil && st.Account != "" {
		err = fmt.Errorf("%w (restore %s works in account %s, %q, of stack %s: run any command above with that account's credentials)",
			err, r.Name, account, st.Account, st.Name)
	}
	var missing *restore.MissingBucketError
	if errors.As(err, &missing) {
		return fmt.Errorf("%w. stack.%s has run, so check that s3_bucket = %q in restore %q (%s:%d) is the bucket %s creates", err,
			r.Stack, r.S3Bucket, r.Name, r.Range.Filename, r.Range.Start.Line, r.Address)
	}
	if err == nil && res != nil && res.Outcome != restore.Accepted {
		a.verifyLater(r, account, accept)
	}
	return err
}

// again applies the once-per-rebuild rule (restore.Again) to a restore:
// for one done on record, it reads its target (never its source) to see
// whether the target needs the data again.
func again(ctx context.Context, r *config.Restore, rs Restorers, account string, done, asked bool) (bool, string, error) {
	if !done {
		return true, "", nil
	}
	var p restore.Presence
	var err error
	if !asked {
		if r.Kind == config.RestoreDynamoDB {
			p, err = rs.Tables(r.SourceRegion, nil).Presence(ctx, r.DynamoDBTable)
		} else {
			p, err = rs.Buckets(r.SourceRegion, nil).Presence(ctx, r.S3Bucket, account)
		}
	}
	if err != nil {
		return false, "", fmt.Errorf("restore %s is done on record; checking that its target %s still holds the data: %w", r.Name, r.Resource(), err)
	}
	run, why := restore.Again(true, p, asked)
	return run, why, nil
}

// adopt imports the restored table into its stack's state, with the
// stack's inputs (its var file), unless the state has it already.
func (a *applier) adopt(ctx context.Context, r *config.Restore) error {
	name := "import." + r.Name
	a.clearNotes(name)
	st := a.cfg.Stack(r.Stack)
	vars, err := a.inputs(st)
	if err != nil {
		return fmt.Errorf("evaluate stack %s's inputs to import the table: %w", st.Name, err)
	}
	ts := a.tfStack(st)
	ts.Vars = vars
	at, crashed := a.crashed[name]
	if old, ok := a.crashed["restore."+r.Name]; ok && !crashed {
		at, crashed = old, true // a run before import stages imported within the restore stage
	}
	if crashed {
		// An import that died with the previous run may hold the lock.
		if err := a.releaseStaleLock(ctx, ts, at, nil); err != nil {
			return err
		}
	}
	obj, ok := a.aheadForImport(ctx, st.Name)
	if !ok {
		obj, err = a.readObject(ctx, ts.Backend)
	}
	if err != nil {
		return fmt.Errorf("the table %q is restored, but reading stack %s's state failed: %w; run apply again (the restore is not repeated)",
			r.Resource(), st.Name, err)
	}
	has, err := holds(ts, obj, r.Address)
	if err != nil {
		return err
	}
	a.handOn(st.Name, obj) // the stack's stage, next, decides on this read
	if has {
		a.note(name, fmt.Sprintf("%s is already in stack.%s's state: nothing to import", r.Address, st.Name))
		return nil
	}
	a.note(name, fmt.Sprintf("table %s is imported into stack.%s's state as %s by the stack's own apply", r.Resource(), st.Name, r.Address))
	return nil
}

// restoreImports are the restored tables a stack's apply adopts (an
// import block in the apply where the engine takes one): each DynamoDB
// restore of the stack whose import stage is in this run and whose table
// the stack's state does not hold yet. Read from the state each time, so
// that a run that died between the import stage and the apply imports on
// resume: the stage's own read, or its import stage's just before it.
func (a *applier) restoreImports(ctx context.Context, st *config.Stack, ts terraform.Stack, reads *stackReads) ([]terraform.Import, error) {
	var out []terraform.Import
	for _, r := range a.cfg.Restores {
		if s := a.pipeline.Get("import." + r.Name); r.Stack != st.Name || s == nil || s.Skipped {
			continue
		}
		obj, err := a.objectBefore(ctx, reads, ts.Backend)
		if err != nil {
			return nil, fmt.Errorf("the table %q is restored, but reading stack %s's state failed: %w; run apply again (the restore is not repeated)",
				r.Resource(), st.Name, err)
		}
		has, err := holds(ts, obj, r.Address)
		if err != nil {
			return nil, err
		}
		if !has {
			out = append(out, terraform.Import{Address: r.Address, ID: r.Resource()})
		}
	}
	return out, nil
}

// recordRestore keeps the result and its data age against the RPO in the
// checkpoint, and says how it went; over the RPO is a warning in apply
// (and a failure in drill, see JudgeDrill).
func (a *applier) recordRestore(stage string, res *restore.Result) {
	a.mu.Lock()
	m := restore.MeasureAt(res, a.cfg.RPO, incidentOf(a.ckpt))
	a.ckpt.Stage(stage).Restore = &checkpoint.Restore{Result: *res, RPO: m}
	a.mu.Unlock()
	what := fmt.Sprintf("%s %s from %s", res.Outcome, res.Target, res.Source)
	if res.Outcome == restore.Accepted {
		what = "kept " + res.Target + " as it is (--accept-existing): nothing restored"
	}
	a.note(stage, what+"; "+outcome.DescribeRPO(m))
	if !m.RPOMet {
		a.note(stage, "warning: "+outcome.DescribeRPO(m))
	}
}

// incidentOf is the incident time of the rebuild c records: the one
// given with --incident-at, else the rebuild's start.
func incidentOf(c *checkpoint.Checkpoint) time.Time {
	if c.IncidentAt != nil {
		return *c.IncidentAt
	}
	return c.StartedAt
}

// restorers are the restore library on the session of the account the
// restore's stack runs in (its data lives where its stack puts it), and
// that account's id, the expected owner of its buckets.
func restorers(conn *Connection, st *config.Stack) (Restorers, string, error) {
	if conn == nil || conn.Restorers == nil {
		return nil, "", errors.New("no AWS session to restore with (preflight did not connect)")
	}
	if st != nil && st.Account != "" {
		as := conn.Accounts[st.Account]
		if as == nil {
			return nil, "", fmt.Errorf("no session for account %q, which stack %s runs in", st.Account, st.Name)
		}
		if as.Restorers != nil {
			return as.Restorers, as.Identity.Account, nil
		}
	}
	return conn.Restorers, conn.Identity.Account, nil
}

func tableOptions(r *config.Restore, accept bool) restore.TableOptions {
	return restore.TableOptions{Table: r.DynamoDBTable, From: r.From, BackupARN: r.BackupARN, PointInTime: r.PointInTime,
		SourceTable: r.SourceTable, AcceptExisting: accept}
}

func bucketOptions(r *config.Restore, account string, accept bool) restore.BucketOptions {
	return restore.BucketOptions{Bucket: r.S3Bucket, From: r.From, PointInTime: r.PointInTime, SourceBucket: r.SourceBucket,
		AccountID: account, SourceAccountID: r.SourceAccountID, KeepNewer: r.KeepNewer, AcceptExisting: accept}
}
