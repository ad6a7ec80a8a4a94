package rebuild

import (
	"context"
	"fmt"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/restore"
)

// Mismatch is a finding of a restore whose data, verified at the end of
// the run, differs from what its source held at the recovery point.
const Mismatch checkpoint.FindingKind = "mismatch"

// verifyLater queues a restore this run performed for verification once
// the run's stages have finished: what the rebuilt service is handed is
// what gets checked, including anything a later stage did to it.
func (a *applier) verifyLater(r *config.Restore, account string, accept bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.toVerify = append(a.toVerify, pendingVerify{r: r, account: account, accept: accept})
}

type pendingVerify struct {
	r       *config.Restore
	account string
	accept  bool
}

// verifyRestores checks what each restore of this run brought back
// against its source, records the verification with the restore's result
// and reports a mismatch as a finding (and so in the summary, status,
// the events and a drill's verdict).
func (a *applier) verifyRestores(ctx context.Context) {
	a.mu.Lock()
	todo := a.toVerify
	a.toVerify = nil
	a.mu.Unlock()
	for _, p := range todo {
		name := "restore." + p.r.Name
		v, err := a.verify(ctx, p)
		if err != nil {
			v = &restore.Verification{Problem: err.Error()}
		}
		a.mu.Lock()
		rec := a.ckpt.Stage(name)
		if rec.Restore != nil {
			rec.Restore.Result.Verified = v
		}
		a.mu.Unlock()
		if !v.OK {
			a.find(name, checkpoint.Finding{Kind: Mismatch, Address: string(kindOfRestore(p.r)) + " " + p.r.Resource(), Message: v.String()}, v.String())
			continue
		}
		a.note(name, v.String())
	}
}

// keepMismatch reports again the mismatch an earlier run's verification
// found, for a restore not run again: its finding stays until the data is
// restored anew (--restore NAME).
func (a *applier) keepMismatch(r *config.Restore, prior *checkpoint.Restore) {
	if prior == nil || prior.Result.Verified == nil || prior.Result.Verified.OK {
		return
	}
	v := prior.Result.Verified
	a.find("restore."+r.Name, checkpoint.Finding{Kind: Mismatch, Address: string(kindOfRestore(r)) + " " + r.Resource(), Message: v.String()},
		"verified when it ran: "+v.String())
}

func (a *applier) verify(ctx context.Context, p pendingVerify) (*restore.Verification, error) {
	if ctx.Err() != nil {
		return nil, fmt.Errorf("the run was stopped before the data was verified")
	}
	rs, _, err := restorers(a.conn, a.cfg.Stack(p.r.Stack))
	if err != nil {
		return nil, err
	}
	if p.r.Kind == config.RestoreS3 {
		return rs.Buckets(p.r.SourceRegion, nil).Verify(ctx, bucketOptions(p.r, p.account, p.accept))
	}
	a.mu.Lock()
	rec := a.ckpt.Stage("restore." + p.r.Name).RestoreCopy()
	a.mu.Unlock()
	if rec == nil {
		return nil, fmt.Errorf("no result on record to verify")
	}
	return rs.Tables(p.r.SourceRegion, nil).Verify(ctx, tableOptions(p.r, p.accept), &rec.Result)
}

func kindOfRestore(r *config.Restore) restore.Kind {
	if r.Kind == config.RestoreDynamoDB {
		return restore.KindDynamoDB
	}
	return restore.KindS3
}
